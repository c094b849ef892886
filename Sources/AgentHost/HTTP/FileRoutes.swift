import AgentWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/realtime/v1/sessions/{chatId}/files`: attachments too large to travel
/// inside a message (README, "Attachments").
///
/// `POST …/files` (write scope) takes the file's bytes as the body, its media
/// type as `Content-Type`, and an optional name (`X-Filename` header or
/// `?filename=`); it answers `201 {url, mediaType, size, sha256, filename?}`.
/// `GET …/files/{sha256}` (read scope) serves the bytes back. The general 1 MiB
/// body limit does not apply: the upload policy's limit does, checked against
/// `Content-Length` before a byte is read and again while the body streams.
struct FileRoutes {
    let storage: any SessionStorage
    let files: any FileStore
    let policy: UploadPolicy

    /// - Parameters:
    ///   - reads: the `/realtime/v1` group behind `AuthMiddleware(.session(.read))`.
    ///   - writes: the `/realtime/v1` group behind `AuthMiddleware(.session(.write))`.
    func register(reads: some RouterMethods<HostRequestContext>, writes: some RouterMethods<HostRequestContext>) {
        writes.post("sessions/:chatId/files") { request, context in
            let chatId = try context.parameters.chatId()
            let mediaType = try policy.mediaType(of: request.headers[.contentType])
            if let length = request.headers[.contentLength].flatMap(Int.init), length > policy.maximumBytes {
                throw AgentHostError.payloadTooLarge(limit: policy.maximumBytes)
            }
            guard let row = try await storage.session(chatId: chatId) else {
                throw AgentHostError.notFound("no session `\(chatId)`")
            }
            guard row.status != .closed else { throw AgentHostError.sessionClosed(chatId) }
            let filename = try Self.filename(request)
            let stored = try await files.store(
                chatId: chatId, mediaType: mediaType, filename: filename, body: request.body, limit: policy.maximumBytes
            )
            context.logger.info("file uploaded", metadata: [
                "chatId": "\(chatId)", "sha256": "\(stored.sha256)", "size": "\(stored.size)", "mediaType": "\(mediaType)",
            ])
            return try Response.json(stored, status: .created)
        }

        reads.get("sessions/:chatId/files/:sha256") { _, context in
            let chatId = try context.parameters.chatId()
            let sha256 = context.parameters.get("sha256") ?? ""
            guard let (file, bytes) = try await files.contents(chatId: chatId, sha256: sha256) else {
                throw AgentHostError.notFound("session `\(chatId)` has no file `\(sha256)`")
            }
            var headers: HTTPFields = [
                .contentType: file.mediaType,
                // Content-addressed: the bytes at this URL never change.
                .cacheControl: "private, max-age=31536000, immutable",
                // A file is data, never a page of this origin: no sniffing, no scripts.
                .xContentTypeOptions: "nosniff",
                .contentSecurityPolicy: "sandbox; default-src 'none'",
            ]
            if let filename = file.filename {
                headers[.contentDisposition] = "inline; filename*=UTF-8''\(Self.encodedFilename(filename))"
            }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// The upload's name: `X-Filename` (percent-encoded UTF-8 allowed) or `?filename=`.
    private static func filename(_ request: Request) throws(AgentHostError) -> String? {
        let raw = request.headers.value(named: "x-filename") ?? request.uri.queryParameters.get("filename")
        guard let raw else { return nil }
        let name = (raw.removingPercentEncoding ?? raw).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { return nil }
        guard name.utf8.count <= 255, !name.contains(where: { $0.isNewline || $0 == "/" || $0 == "\\" }) else {
            throw .badRequest("a file name must be at most 255 bytes, without line breaks or slashes")
        }
        return name
    }

    /// RFC 5987 encoding for `filename*`.
    private static func encodedFilename(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? "file"
    }
}
