/// plugin → host, service `files.read`: the bytes of a file a message refers to.
public struct FileReadRequest: Codable, Sendable {
    /// The file part's `url`: a data URL, or a file of the turn's session
    /// (`/realtime/v1/sessions/{chatId}/files/{sha256}`). The host fetches no other URL.
    public var url: String

    /// A read request.
    ///
    /// - Parameters:
    ///   - url: The file part's URL.
    public init(url: String) {
        self.url = url
    }
}

/// host → plugin, result of `files.read`.
public struct FileReadReply: Codable, Sendable {
    /// The media type the file was stored (or the data URL was written) with.
    public var mediaType: String
    /// Its length in bytes.
    public var size: Int
    /// The bytes, base64.
    public var data: String

    /// A reply.
    ///
    /// - Parameters:
    ///   - mediaType: The file's media type.
    ///   - size: Its length in bytes.
    ///   - data: The bytes, base64.
    public init(mediaType: String, size: Int, data: String) {
        self.mediaType = mediaType
        self.size = size
        self.data = data
    }
}
