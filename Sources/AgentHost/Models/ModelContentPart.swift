import AgentWire
import Foundation

/// One piece of a user message as the model gets it: text, or a file (an image,
/// a PDF, a text document), in the order the user's message holds them.
public enum ModelContentPart: Sendable, Hashable {
    case text(String)
    case file(ModelFile)
}

/// A file the model is to read: its media type, its name, and where its bytes are.
public struct ModelFile: Sendable, Hashable {
    /// Where a file's bytes are.
    public enum Source: Sendable, Hashable {
        /// The bytes themselves: a data URL's payload, or a stored file the host read.
        case bytes(Data)
        /// A URL the provider is to fetch (`https:`), or one nobody can (then the
        /// provider request names it in an error).
        case url(String)
        /// A file uploaded to a session (`SessionFileURL`): the host reads it
        /// (`ModelFileResolver`) before a provider sees the request.
        case stored(SessionFileURL)
    }

    /// The IANA media type, e.g. `image/png`.
    public var mediaType: String
    /// The file's name, when the client sent one.
    public var filename: String?
    public var source: Source

    /// A file.
    ///
    /// - Parameters:
    ///   - mediaType: The IANA media type.
    ///   - filename: The file's name, if known.
    ///   - source: Where its bytes are.
    public init(mediaType: String, filename: String? = nil, source: Source) {
        self.mediaType = mediaType
        self.filename = filename
        self.source = source
    }

    /// A message's file part as the model gets it: a data URL's bytes inline, a
    /// daemon file URL to be resolved, any other URL as is.
    ///
    /// - Parameters:
    ///   - part: The message's part.
    init(_ part: UIMessage.FilePart) {
        let source: Source =
            if let data = DataURL(part.url) { .bytes(data.bytes) }
            else if let stored = part.sessionFile { .stored(stored) }
            else { .url(part.url) }
        self.init(mediaType: part.mediaType, filename: part.filename, source: source)
    }

    /// The media type without parameters, lowercased: `text/plain; charset=utf-8` → `text/plain`.
    var baseMediaType: String {
        String(mediaType.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Images: what both providers take as image input (JPEG, PNG, GIF, WebP).
    var isImage: Bool { ["image/jpeg", "image/png", "image/gif", "image/webp"].contains(baseMediaType) }

    var isPDF: Bool { baseMediaType == "application/pdf" }

    /// Text a model reads as text: `text/*`, JSON, XML. Providers that have no
    /// block for such a type get its text (README, "Attachments").
    var isText: Bool {
        let type = baseMediaType
        return type.hasPrefix("text/") || type == "application/json" || type.hasSuffix("+json")
            || type == "application/xml" || type.hasSuffix("+xml")
    }

    /// How the file is named to the model and in errors: its filename, else its media type.
    var displayName: String { filename ?? mediaType }

    /// The bytes as UTF-8 text, for a text file whose bytes are at hand.
    var text: String? {
        guard case .bytes(let data) = source else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension ModelFile {
    /// The error for a file `provider` cannot take; the turn's `error` chunk says it.
    ///
    /// - Parameters:
    ///   - provider: The provider, as the user knows it.
    ///   - what: What it cannot take, naming the file.
    func refusal(by provider: String, _ what: String) -> ModelProviderError {
        ModelProviderError(provider: provider, kind: .unsupportedInput, message: what)
    }

    /// The URL a provider is to fetch the file from: an `http(s)` URL. Any other
    /// (a `blob:` URL, a data URL that does not decode) is refused by name, and a
    /// session file that was never read is a host error, said the same way.
    ///
    /// - Parameters:
    ///   - provider: The provider, as the user knows it.
    func remoteURL(for provider: String) throws -> String {
        switch source {
        case .url(let url):
            let lowered = url.lowercased()
            guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else {
                throw refusal(by: provider, "the URL of `\(displayName)` (\(ProviderErrorBody.snippet(url, limit: 40))): "
                    + "only http(s) URLs, data URLs and this session's uploads can be sent")
            }
            return url
        case .stored, .bytes:
            throw refusal(by: provider, "`\(displayName)`: the session's file was not read")
        }
    }
}
