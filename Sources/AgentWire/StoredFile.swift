/// A file uploaded to a session: what the upload route answers, and what the
/// store keeps beside the bytes.
public struct StoredFile: Codable, Sendable, Hashable {
    /// The daemon URL a message's file part refers to (`SessionFileURL.path`).
    public var url: String
    /// The media type it was uploaded with (parameters dropped, lowercased).
    public var mediaType: String
    /// Its length in bytes.
    public var size: Int
    /// The lowercase hex SHA-256 of its bytes: its address in the session's files.
    public var sha256: String
    /// The name it was uploaded with, if any.
    public var filename: String?

    /// A stored file's description.
    ///
    /// - Parameters:
    ///   - chatId: The session it belongs to.
    ///   - mediaType: Its media type.
    ///   - size: Its length in bytes.
    ///   - sha256: The hex SHA-256 of its bytes.
    ///   - filename: Its name, if any.
    public init(chatId: String, mediaType: String, size: Int, sha256: String, filename: String?) {
        self.url = SessionFileURL(chatId: chatId, sha256: sha256).path
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
        self.filename = filename
    }
}
