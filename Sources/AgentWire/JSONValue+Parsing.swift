import Foundation

extension JSONValue {
    /// Parses JSON text straight into a `JSONValue`.
    ///
    /// `JSONDecoder` reaches a `JSONValue` by trying each kind in turn and
    /// catching the failures, which costs microseconds per value; this reads
    /// the bytes once. It is what makes waking a long session from its history
    /// snapshot cheap.
    /// - Parameters:
    ///   - text: The UTF-8 JSON text (RFC 8259: one value, surrounded by optional whitespace).
    /// - Throws: `JSONValue.ParseError` at the first byte that is not valid JSON.
    public init(parsing text: Data) throws {
        self = try text.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self))
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == parser.bytes.count else { throw ParseError(offset: parser.index) }
            return value
        }
    }

    /// Where JSON text stopped being valid.
    public struct ParseError: Error, CustomStringConvertible {
        /// The byte offset of the first byte that could not be read.
        public let offset: Int
        public var description: String { "invalid JSON at byte \(offset)" }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        /// Deeper nesting is refused rather than allowed to exhaust the stack.
        static let maximumDepth = 512

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        func fail() -> ParseError { ParseError(offset: index) }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < Self.maximumDepth else { throw fail() }
            skipWhitespace()
            guard index < bytes.count else { throw fail() }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(ParseError) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail() }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw fail() }
            index += count
        }

        mutating func object(depth: Int) throws(ParseError) -> JSONValue {
            index += 1
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail() }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail() }
                index += 1
                members[key] = try value(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw fail() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    throw fail()
                }
            }
        }

        mutating func array(depth: Int) throws(ParseError) -> JSONValue {
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw fail() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                } else {
                    throw fail()
                }
            }
        }

        /// A string starting at its opening quote.
        mutating func string() throws(ParseError) -> String {
            index += 1
            let start = index
            // The common case, no escapes: one copy of the bytes.
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                guard bytes[index] >= 0x20 else { throw fail() }
                index += 1
            }
            guard index < bytes.count else { throw fail() }
            if bytes[index] == UInt8(ascii: "\"") {
                // No escapes: read the bytes in place, the string's only copy.
                let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return try Self.text(run, start: start)
            }
            var utf8 = Array(bytes[start..<index])
            while bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\") {
                    try escape(into: &utf8)
                } else {
                    guard bytes[index] >= 0x20 else { throw fail() }
                    utf8.append(bytes[index])
                    index += 1
                }
                guard index < bytes.count else { throw fail() }
            }
            index += 1
            let text = utf8.withUnsafeBufferPointer { try? Self.text($0, start: start) }
            guard let text else { throw ParseError(offset: start) }
            return text
        }

        /// The string these UTF-8 bytes spell; invalid UTF-8 is an error, as in `JSONDecoder`.
        /// ASCII, the common case, needs no validation pass.
        static func text(_ utf8: UnsafeBufferPointer<UInt8>, start: Int) throws(ParseError) -> String {
            if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
            guard let text = String(validating: utf8, as: UTF8.self) else { throw ParseError(offset: start) }
            return text
        }

        mutating func escape(into utf8: inout [UInt8]) throws(ParseError) {
            index += 1
            guard index < bytes.count else { throw fail() }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by `\u` and a low one.
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw fail()
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail()
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail() }
                utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw fail()
            }
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail() }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail()
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        /// A number as RFC 8259 spells it: `-? int frac? exp?`.
        mutating func number() throws(ParseError) -> Double {
            let start = index
            func digits(_ parser: inout Parser) -> Int {
                let first = parser.index
                while parser.index < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) {
                    parser.index += 1
                }
                return parser.index - first
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let integer = index
            guard digits(&self) > 0 else { throw fail() }
            // No leading zeros: `0` alone, or a non-zero first digit.
            guard bytes[integer] != UInt8(ascii: "0") || index - integer == 1 else { throw ParseError(offset: integer) }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits(&self) > 0 else { throw fail() }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { throw fail() }
            }
            guard let text = String(validating: bytes[start..<index], as: UTF8.self), let value = Double(text) else {
                throw ParseError(offset: start)
            }
            return value
        }
    }
}
