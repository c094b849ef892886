/// Any JSON value. Used wherever the wire carries data whose shape belongs to
/// someone else: tool inputs and outputs, `data-*` parts, client metadata.
///
/// Write it as a literal: `["city": "Berlin", "days": 3, "units": nil]`.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// Every JSON number; whole numbers encode without a fraction (`3`, not `3.0`).
    case number(Double)
    /// A JSON string.
    case string(String)
    /// A JSON array.
    case array([JSONValue])
    /// A JSON object; encoded with sorted keys by `WireCoding`.
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    /// Decodes whatever JSON value comes next, trying `null`, bool, number, string,
    /// array and object in that order.
    ///
    /// - Parameters:
    ///   - decoder: The decoder positioned at the value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as the JSON it stands for.
    ///
    /// - Parameters:
    ///   - encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers go out as integers: `3`, not `3.0`.
            if value.rounded() == value, abs(value) < 9.0e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// The member named `key` of an object; nil for a missing key or any other
    /// kind of value, so lookups chain without checks: `part["data"]?["city"]`.
    ///
    /// - Parameters:
    ///   - key: The member's name.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The string, or nil when this is not a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number, or nil when this is not a number.
    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The bool, or nil when this is not a bool.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, or nil when this is not an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// `"text"` is `.string("text")`.
    ///
    /// - Parameters:
    ///   - value: The literal's text.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `3` is `.number(3)`.
    ///
    /// - Parameters:
    ///   - value: The literal's value.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// `2.5` is `.number(2.5)`.
    ///
    /// - Parameters:
    ///   - value: The literal's value.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// `true` is `.bool(true)`.
    ///
    /// - Parameters:
    ///   - value: The literal's value.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `[1, "a"]` is `.array([.number(1), .string("a")])`.
    ///
    /// - Parameters:
    ///   - elements: The literal's elements.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// `["a": 1]` is `.object(["a": .number(1)])`; of repeated keys the last wins.
    ///
    /// - Parameters:
    ///   - elements: The literal's key-value pairs.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// `nil` is `.null`.
    ///
    /// - Parameters:
    ///   - nilLiteral: Nothing; the literal carries no value.
    public init(nilLiteral: ()) { self = .null }
}
