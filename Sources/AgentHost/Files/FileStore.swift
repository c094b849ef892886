import AgentWire
import NIOCore

/// Where the files uploaded to sessions live, content-addressed per session.
///
/// The daemon's store is a directory (`DirectoryFileStore`); a store backed by
/// a database (PostgreSQL, for a cluster) implements the same three calls.
protocol FileStore: Sendable {
    /// Stores the bytes `body` streams, as a file of `chatId`, under the SHA-256
    /// of its bytes. Storing the same bytes again keeps one copy (its media type
    /// and name are the latest upload's).
    ///
    /// - Parameters:
    ///   - chatId: The session the file belongs to.
    ///   - mediaType: Its media type, already checked against the upload policy.
    ///   - filename: The name it was uploaded with, if any.
    ///   - body: The bytes, as they arrive.
    ///   - limit: The most bytes to take.
    /// - Throws: `AgentHostError.payloadTooLarge` past `limit`, `.badRequest` for
    ///   an empty body; in both cases nothing is kept.
    func store<Body: AsyncSequence & Sendable>(
        chatId: String, mediaType: String, filename: String?, body: Body, limit: Int
    ) async throws -> StoredFile where Body.Element == ByteBuffer

    /// The description of a stored file; nil when the session has no such file.
    ///
    /// - Parameters:
    ///   - chatId: The session.
    ///   - sha256: The file's address.
    func file(chatId: String, sha256: String) async throws -> StoredFile?

    /// A stored file's bytes; nil when the session has no such file.
    ///
    /// - Parameters:
    ///   - chatId: The session.
    ///   - sha256: The file's address.
    func contents(chatId: String, sha256: String) async throws -> (file: StoredFile, bytes: [UInt8])?
}
