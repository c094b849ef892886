import Foundation

/// One JSON coder configuration for everything that crosses the plugin boundary
/// or leaves the daemon: sorted keys make output deterministic and testable.
public enum WireCoding {
    /// Encodes `value` as compact JSON with sorted keys, unescaped slashes and
    /// ISO 8601 dates.
    ///
    /// - Parameters:
    ///   - value: The value to encode.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    /// Encodes `value` as `encode(_:)` does, as text: what an `agent_str` carries.
    ///
    /// - Parameters:
    ///   - value: The value to encode.
    public static func encodeString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// Decodes a `T` from JSON, reading dates as ISO 8601.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - data: The JSON bytes.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: data)
    }

    /// Decodes a `T` from JSON text, such as a string read from an `agent_str`.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - string: The JSON text.
    public static func decode<T: Decodable>(_ type: T.Type, from string: String) throws -> T {
        try decode(type, from: Data(string.utf8))
    }

    /// A `JSONValue` is read with the direct parser (`JSONValue(parsing:)`):
    /// the same values `JSONDecoder` reads, for a fraction of the cost. This
    /// overload wins over the generic one wherever the type is `JSONValue`.
    ///
    /// - Parameters:
    ///   - type: `JSONValue.self`.
    ///   - data: UTF-8 JSON text.
    public static func decode(_ type: JSONValue.Type, from data: Data) throws -> JSONValue {
        try JSONValue(parsing: data)
    }

    /// As `decode(_:from:)` with `Data`, for JSON held as a string.
    ///
    /// - Parameters:
    ///   - type: `JSONValue.self`.
    ///   - string: JSON text.
    public static func decode(_ type: JSONValue.Type, from string: String) throws -> JSONValue {
        try JSONValue(parsing: Data(string.utf8))
    }
}
