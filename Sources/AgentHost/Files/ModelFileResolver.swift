import AgentWire
import Foundation

/// Reads the session files a conversation refers to, so a provider gets their
/// bytes (base64) and never a daemon URL it could not fetch.
///
/// A turn may read only its own session's files: a message that names another
/// session's file URL fails the request with an error that says so, and nothing
/// of that file is read.
struct ModelFileResolver: Sendable {
    /// Where the files are; nil in a host that keeps none (every reference then fails by name).
    let store: (any FileStore)?
    /// The session whose turn this is.
    let chatId: String

    /// `messages` with every stored file's bytes in place; the same array when none refers to one.
    /// - Parameters:
    ///   - messages: The conversation in the model's terms.
    /// - Throws: `AgentHostError` naming a file that is another session's, or missing.
    func resolve(_ messages: [ModelMessage]) async throws -> [ModelMessage] {
        // Most conversations have no stored file: walk once, copy nothing.
        guard messages.contains(where: Self.refersToStoredFile) else { return messages }
        var resolved = messages
        for (index, message) in messages.enumerated() {
            guard case .user(let parts) = message, Self.refersToStoredFile(message) else { continue }
            var read: [ModelContentPart] = []
            for part in parts {
                guard case .file(var file) = part, case .stored(let address) = file.source else {
                    read.append(part)
                    continue
                }
                file.source = .bytes(try await bytes(of: address, named: file.displayName))
                read.append(.file(file))
            }
            resolved[index] = .user(parts: read)
        }
        return resolved
    }

    /// The bytes of one of this session's files.
    /// - Parameters:
    ///   - address: The file's daemon URL.
    ///   - name: How the error names it.
    func bytes(of address: SessionFileURL, named name: String) async throws -> Data {
        guard address.chatId == chatId else {
            throw AgentHostError.forbidden("attachment `\(name)` is a file of another session; a turn reads only its own session's files")
        }
        guard let store, let found = try await store.contents(chatId: chatId, sha256: address.sha256) else {
            throw AgentHostError.notFound("attachment `\(name)`: session `\(chatId)` has no file \(address.sha256)")
        }
        return Data(found.bytes)
    }

    /// `files.read`: the bytes a file part's URL names, for the agent itself.
    /// - Parameters:
    ///   - url: A data URL, or a file of this session.
    /// - Throws: `AgentHostError` for another session's file, a missing one, or any other URL.
    func read(_ url: String) async throws -> FileReadReply {
        if let inline = DataURL(url) {
            return FileReadReply(mediaType: inline.mediaType, size: inline.bytes.count, data: inline.bytes.base64EncodedString())
        }
        guard let address = SessionFileURL(url) else {
            throw AgentHostError.badRequest("files.read takes a data URL or a file of this session; the host fetches no other URL")
        }
        let bytes = try await bytes(of: address, named: address.sha256)
        let mediaType = try await store?.file(chatId: chatId, sha256: address.sha256)?.mediaType ?? "application/octet-stream"
        return FileReadReply(mediaType: mediaType, size: bytes.count, data: bytes.base64EncodedString())
    }

    private static func refersToStoredFile(_ message: ModelMessage) -> Bool {
        guard case .user(let parts) = message else { return false }
        return parts.contains { part in
            if case .file(let file) = part, case .stored = file.source { true } else { false }
        }
    }
}
