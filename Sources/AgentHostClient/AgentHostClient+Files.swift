import AgentWire
import AsyncHTTPClient
import Foundation
import NIOCore

extension AgentHostClient {
    /// Uploads a file to a session (`POST …/files`) and returns what the daemon
    /// stored: its daemon URL, for a message's file part.
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - mediaType: Its media type; the daemon refuses types it does not allow (415).
    ///   - filename: Its name, if any.
    ///   - chatId: The session's id.
    public func uploadFile(_ bytes: Data, mediaType: String, filename: String?, chatId: String) async throws -> StoredFile {
        var path = Self.sessionPath(chatId, "files")
        if let filename, let query = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            path += "?filename=\(query)"
        }
        var request = makeRequest(.POST, path, headers: [(name: "Content-Type", value: mediaType)])
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await http.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 20)
        let reply = DaemonReply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
        guard (200..<300).contains(reply.status) else { throw AgentHostClientError(reply: reply) }
        return try WireCoding.decode(StoredFile.self, from: reply.body)
    }

    /// A file part for a file on disk, uploaded to the session first; its media
    /// type is guessed from the extension (`mediaType(forPath:)`).
    /// - Parameters:
    ///   - path: The file's path.
    ///   - chatId: The session's id.
    public func attach(path: String, chatId: String) async throws -> (part: UIMessage.FilePart, stored: StoredFile) {
        let url = URL(fileURLWithPath: path)
        let bytes = try Data(contentsOf: url)
        let mediaType = Self.mediaType(forPath: path)
        let stored = try await uploadFile(bytes, mediaType: mediaType, filename: url.lastPathComponent, chatId: chatId)
        return (UIMessage.FilePart(mediaType: stored.mediaType, filename: url.lastPathComponent, url: stored.url), stored)
    }

    /// The media type a file's extension usually means; `application/octet-stream` when unknown.
    /// - Parameters:
    ///   - path: A file path or name.
    public static func mediaType(forPath path: String) -> String {
        let types = [
            "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
            "pdf": "application/pdf", "txt": "text/plain", "text": "text/plain", "log": "text/plain", "csv": "text/csv",
            "md": "text/markdown", "markdown": "text/markdown", "json": "application/json",
        ]
        return types[URL(fileURLWithPath: path).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}
