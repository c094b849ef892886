/// What the upload route takes: how large a file may be, and which media types.
public struct UploadPolicy: Sendable, Hashable {
    /// The default size limit: 20 MiB.
    public static let defaultMaximumBytes = 20 << 20
    /// The default allow-list: the images and documents both providers read,
    /// and text formats (README, "Attachments").
    public static let defaultMediaTypes: Set<String> = [
        "image/png", "image/jpeg", "image/gif", "image/webp",
        "application/pdf", "text/plain", "text/csv", "text/markdown", "application/json",
    ]

    /// The largest upload, in bytes.
    public var maximumBytes: Int
    /// The media types an upload may have (lowercase, no parameters).
    public var mediaTypes: Set<String>

    /// A policy.
    ///
    /// - Parameters:
    ///   - maximumBytes: The largest upload, in bytes.
    ///   - mediaTypes: The media types allowed; lowercased here.
    public init(maximumBytes: Int = Self.defaultMaximumBytes, mediaTypes: Set<String> = Self.defaultMediaTypes) {
        self.maximumBytes = maximumBytes
        self.mediaTypes = Set(mediaTypes.map { $0.lowercased() })
    }

    /// The media type of an upload's `Content-Type`, if the policy allows it.
    ///
    /// - Parameters:
    ///   - contentType: The request's `Content-Type` header, if any.
    /// - Returns: The media type without parameters, lowercased.
    /// - Throws: `AgentHostError.unsupportedMediaType` when it is missing or not allowed.
    func mediaType(of contentType: String?) throws(AgentHostError) -> String {
        guard let contentType, !contentType.isEmpty else {
            throw .unsupportedMediaType("an upload needs a `Content-Type` header naming the file's media type")
        }
        let type = String(contentType.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaTypes.contains(type) else {
            throw .unsupportedMediaType(
                "uploads of type \(type) are not allowed; allowed: \(mediaTypes.sorted().joined(separator: ", "))"
            )
        }
        return type
    }
}
