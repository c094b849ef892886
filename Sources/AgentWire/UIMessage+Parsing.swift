import Foundation

extension UIMessage {
    /// A JSON array of messages, checked but not yet built: what a long
    /// session's history snapshot holds nearly all of its bytes in.
    ///
    /// Checking reads every byte as `decode()` will, so bytes that pass it
    /// decode; building the messages — a dictionary for every part — is what
    /// costs, and is left to `decode()`, for when someone reads them.
    public struct EncodedArray: Sendable, Hashable {
        /// The text the array is part of.
        public let text: Data
        /// The array's bytes within `text`, as offsets from its first byte.
        public let range: Range<Int>
        /// How many messages it holds.
        public let count: Int

        /// The messages.
        /// - Throws: `JSONValue.ParseError` for text `init(checking:)` did not check.
        public func decode() throws -> [UIMessage] {
            try text.withUnsafeBytes { raw in
                var parser = JSONValue.Parser(bytes: UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[range]))
                var messages: [UIMessage] = []
                messages.reserveCapacity(count)
                try parser.messages(depth: Self.depth, building: true) { message in
                    if let message { messages.append(message) }
                }
                return messages
            }
        }

        /// Where the array of messages sits: the member of a top-level object,
        /// as `JSONValue.parseObject(_:leavingEncoded:)` finds it.
        static let depth = 1
    }
}

extension JSONValue {
    /// Parses the JSON object in `text`, except for its member `key`, which must
    /// be an array of messages: that one is checked and left encoded.
    ///
    /// - Parameters:
    ///   - text: The UTF-8 JSON text of one object.
    ///   - key: The member holding the messages.
    /// - Returns: The other members, and the messages (nil when `key` is absent).
    /// - Throws: `JSONValue.ParseError` at the first byte that is not valid JSON,
    ///   or where the messages are not an array of objects with a string `id`,
    ///   a string `role` and an array `parts`.
    public static func parseObject(
        _ text: Data, leavingEncoded key: String
    ) throws -> (members: [String: JSONValue], messages: UIMessage.EncodedArray?) {
        try text.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self))
            var members: [String: JSONValue] = [:]
            var messages: UIMessage.EncodedArray?
            parser.skipWhitespace()
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "{") else { throw parser.fail() }
            try parser.members { parser, checked throws(ParseError) in
                let name = try parser.string(checked)
                guard name == key else {
                    members[name] = try parser.value(depth: UIMessage.EncodedArray.depth)
                    return
                }
                parser.skipWhitespace()
                let start = parser.index
                var count = 0
                try parser.messages(depth: UIMessage.EncodedArray.depth, building: false) { _ in count += 1 }
                messages = UIMessage.EncodedArray(text: text, range: start..<parser.index, count: count)
            }
            parser.skipWhitespace()
            guard parser.index == parser.bytes.count else { throw parser.fail() }
            return (members, messages)
        }
    }
}

extension JSONValue.Parser {
    /// Reads an array of messages, as `UIMessage`'s `Codable` form spells one,
    /// straight into `UIMessage`s: no dictionary for the message itself, and
    /// when not `building`, none for its parts either (the bytes are only checked).
    /// - Parameters:
    ///   - depth: The nesting depth of the array, as `value(depth:)` counts it.
    ///   - building: Whether to build the messages or only check them.
    ///   - each: Called with each message (nil when not `building`).
    mutating func messages(
        depth: Int, building: Bool, _ each: (UIMessage?) -> Void
    ) throws(JSONValue.ParseError) {
        guard depth < Self.maximumDepth else { throw fail() }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { throw fail() }
        try elements { parser throws(JSONValue.ParseError) in
            each(try parser.message(depth: depth + 1, building: building))
        }
    }

    /// One message object; nil when not `building`.
    private mutating func message(depth: Int, building: Bool) throws(JSONValue.ParseError) -> UIMessage? {
        guard depth < Self.maximumDepth else { throw fail() }
        skipWhitespace()
        let start = index
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw fail() }
        var id: String?, role: String?, parts: [JSONValue]?, metadata: JSONValue?
        try members { parser, key throws(JSONValue.ParseError) in
            let isId = try parser.is(key, "id")
            let isRole = isId ? false : try parser.is(key, "role")
            if isId || isRole {
                parser.skipWhitespace()
                guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else {
                    throw parser.fail()
                }
                // Checking needs the bytes only; building, the text.
                let checked = try parser.skipString()
                let text = building ? try parser.string(checked) : ""
                if isId { id = text } else { role = text }
            } else if try parser.is(key, "parts") {
                parser.skipWhitespace()
                guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "[") else {
                    throw parser.fail()
                }
                if building {
                    parts = try parser.value(depth: depth + 1).arrayValue
                } else {
                    try parser.skipValue(depth: depth + 1)
                    parts = []
                }
            } else if building, try parser.is(key, "metadata") {
                // `null` is no metadata, as `Codable` reads an optional (not `.null`:
                // `nil` would be the `JSONValue` literal here).
                let value = try parser.value(depth: depth + 1)
                metadata = value == .null ? Optional.none : value
            } else {
                // Other members are ignored, as `Codable` ignores them.
                try parser.skipValue(depth: depth + 1)
            }
        }
        guard let id, let role, let parts else { throw JSONValue.ParseError(offset: start) }
        return building ? UIMessage(id: id, role: role, parts: parts, metadata: metadata) : nil
    }
}
