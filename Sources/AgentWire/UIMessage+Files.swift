import Foundation

extension UIMessage {
    /// One `file` part of a message: what `useChat` sends for an attachment
    /// (`sendMessage({ text, files })`), and what an agent reads of it.
    public struct FilePart: Sendable, Hashable {
        /// The IANA media type, e.g. `image/png`.
        public var mediaType: String
        /// The name the user's file had, when the client sent one.
        public var filename: String?
        /// Where the bytes are: a `data:` URL, a daemon file URL
        /// (`/realtime/v1/sessions/{chatId}/files/{sha256}`, see `SessionFileURL`),
        /// or an `https:` URL.
        public var url: String

        /// A file part.
        ///
        /// - Parameters:
        ///   - mediaType: The IANA media type.
        ///   - filename: The file's name, if known.
        ///   - url: A data URL, a daemon file URL or an https URL.
        public init(mediaType: String, filename: String? = nil, url: String) {
            self.mediaType = mediaType
            self.filename = filename
            self.url = url
        }

        /// Reads a `{"type":"file", …}` part; nil for any other part, or one without `url` or `mediaType`.
        ///
        /// - Parameters:
        ///   - part: One of a message's parts.
        public init?(_ part: JSONValue) {
            guard part["type"]?.stringValue == "file", let url = part["url"]?.stringValue,
                  let mediaType = part["mediaType"]?.stringValue else { return nil }
            self.init(mediaType: mediaType, filename: part["filename"]?.stringValue, url: url)
        }

        /// The part as a message holds it.
        public var json: JSONValue {
            var fields: [String: JSONValue] = ["type": "file", "mediaType": .string(mediaType), "url": .string(url)]
            if let filename { fields["filename"] = .string(filename) }
            return .object(fields)
        }

        /// The bytes when `url` is a `data:` URL; nil for any other URL.
        public var inlineBytes: Data? { DataURL(url)?.bytes }

        /// The daemon file this part refers to, when `url` is a daemon file URL.
        public var sessionFile: SessionFileURL? { SessionFileURL(url) }
    }

    /// The message's `file` parts, in order.
    public var files: [FilePart] { parts.compactMap(FilePart.init) }
}

/// A `data:` URL (RFC 2397): a media type and the bytes it carries.
public struct DataURL: Sendable, Hashable {
    /// The media type it names (`text/plain` when it names none).
    public var mediaType: String
    /// The bytes, base64- or percent-decoded.
    public var bytes: Data

    /// Parses a data URL; nil when `url` is not one, or its payload does not decode.
    ///
    /// - Parameters:
    ///   - url: The URL text.
    public init?(_ url: String) {
        guard url.count > 5, url.prefix(5).lowercased() == "data:", let comma = url.firstIndex(of: ",") else { return nil }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        let payload = url[url.index(after: comma)...]
        var parameters = header.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let isBase64 = parameters.last?.lowercased() == "base64"
        if isBase64 { parameters.removeLast() }
        let type = parameters.first ?? ""
        mediaType = type.isEmpty ? "text/plain" : type
        if isBase64 {
            guard let bytes = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters) else { return nil }
            self.bytes = bytes
        } else {
            guard let text = String(payload).removingPercentEncoding else { return nil }
            bytes = Data(text.utf8)
        }
    }

    /// A base64 data URL.
    ///
    /// - Parameters:
    ///   - mediaType: The media type to name.
    ///   - bytes: The bytes to carry.
    public static func base64(mediaType: String, bytes: Data) -> String {
        "data:\(mediaType);base64,\(bytes.base64EncodedString())"
    }
}

/// A daemon file URL, `/realtime/v1/sessions/{chatId}/files/{sha256}`: what an
/// upload returns and a message's file part refers to. An absolute URL whose
/// path has that shape is one too (a browser may send its page's origin along).
public struct SessionFileURL: Sendable, Hashable {
    /// The session the file was uploaded to.
    public var chatId: String
    /// The file's content address: the lowercase hex SHA-256 of its bytes.
    public var sha256: String

    /// A file of a session.
    ///
    /// - Parameters:
    ///   - chatId: The session's id.
    ///   - sha256: The lowercase hex SHA-256 of the bytes.
    public init(chatId: String, sha256: String) {
        self.chatId = chatId
        self.sha256 = sha256
    }

    /// Parses a daemon file URL; nil for any other URL.
    ///
    /// - Parameters:
    ///   - url: A path, or an absolute `http(s)` URL.
    public init?(_ url: String) {
        var path = Substring(url)
        for scheme in ["http://", "https://"] where path.lowercased().hasPrefix(scheme) {
            let rest = path.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            path = rest[slash...]
        }
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<query] }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 7, segments[0].isEmpty, segments[1] == "realtime", segments[2] == "v1",
              segments[3] == "sessions", segments[5] == "files", Self.isDigest(segments[6]),
              let chatId = segments[4].removingPercentEncoding, !chatId.isEmpty else { return nil }
        self.init(chatId: chatId, sha256: String(segments[6]))
    }

    /// The URL's path, the chat id percent-encoded as one segment.
    public var path: String {
        let segment = chatId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? chatId
        return "/realtime/v1/sessions/\(segment)/files/\(sha256)"
    }

    /// Whether `text` is a lowercase hex SHA-256 digest.
    ///
    /// - Parameters:
    ///   - text: The text to check.
    public static func isDigest(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
