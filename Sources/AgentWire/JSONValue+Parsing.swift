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

    /// The reader behind `init(parsing:)`, shared within AgentWire by the
    /// readers that build other values straight from JSON text (`UIMessage.EncodedArray`).
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        /// Deeper nesting is refused rather than allowed to exhaust the stack.
        static let maximumDepth = 512

        mutating func skipWhitespace() {
            // A `switch`, not `[…].contains`: the array literal was built anew for every byte.
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        /// Whether the next byte, after whitespace, is `byte`; consumes it if so.
        mutating func consume(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
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

        /// Checks the next value as `value(depth:)` reads it, without building
        /// it: the same text is refused, at the same byte.
        mutating func skipValue(depth: Int) throws(ParseError) {
            guard depth < Self.maximumDepth else { throw fail() }
            skipWhitespace()
            guard index < bytes.count else { throw fail() }
            switch bytes[index] {
            case UInt8(ascii: "{"): try members { parser, _ throws(ParseError) in try parser.skipValue(depth: depth + 1) }
            case UInt8(ascii: "["): try elements { parser throws(ParseError) in try parser.skipValue(depth: depth + 1) }
            case UInt8(ascii: "\""): _ = try skipString()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: _ = try number()
            }
        }

        mutating func object(depth: Int) throws(ParseError) -> JSONValue {
            // Most objects (message parts) have two or three members: room for
            // three at once spares growing the table twice.
            var members = [String: JSONValue](minimumCapacity: 3)
            try self.members { parser, key throws(ParseError) in
                members[try parser.string(key)] = try parser.value(depth: depth + 1)
            }
            return .object(members)
        }

        mutating func array(depth: Int) throws(ParseError) -> JSONValue {
            var elements: [JSONValue] = []
            try self.elements { parser throws(ParseError) in elements.append(try parser.value(depth: depth + 1)) }
            return .array(elements)
        }

        /// Reads an object from its `{`: calls `member` with each key, checked
        /// but not built (`string(_:)` builds it, `is(_:_:)` compares it), the
        /// parser positioned at that key's value, which `member` must read.
        mutating func members(_ member: (inout Parser, CheckedString) throws(ParseError) -> Void) throws(ParseError) {
            index += 1
            if consume(UInt8(ascii: "}")) { return }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail() }
                let key = try skipString()
                guard consume(UInt8(ascii: ":")) else { throw fail() }
                try member(&self, key)
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "}")) { return }
                throw fail()
            }
        }

        /// Reads an array from its `[`: calls `element` for each element, which it must read.
        mutating func elements(_ element: (inout Parser) throws(ParseError) -> Void) throws(ParseError) {
            index += 1
            if consume(UInt8(ascii: "]")) { return }
            while true {
                try element(&self)
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "]")) { return }
                throw fail()
            }
        }

        /// A string that `skipString()` checked: where its text sits between its quotes.
        struct CheckedString {
            var raw: Range<Int>
            /// Whether it has escapes, so that its text is not its raw bytes.
            var escaped: Bool
            /// Whether its raw bytes are all ASCII, so that they need no UTF-8 validation.
            var ascii: Bool
        }

        /// A string starting at its opening quote.
        mutating func string() throws(ParseError) -> String {
            try string(skipString())
        }

        /// Checks a string from its opening quote as `string()` reads it,
        /// without building it: the same text is refused, at the same byte.
        mutating func skipString() throws(ParseError) -> CheckedString {
            let quote = index
            index += 1
            let ascii = skipPlainBytes()
            guard index < bytes.count else { throw fail() }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let raw = quote + 1..<index
                index += 1
                if !ascii { _ = try Self.text(UnsafeBufferPointer(rebasing: bytes[raw]), start: raw.lowerBound, ascii: false) }
                return CheckedString(raw: raw, escaped: false, ascii: ascii)
            case UInt8(ascii: "\\"):
                // Escapes are rare: the string is read the slow way.
                index = quote
                _ = try escapedString()
                return CheckedString(raw: quote + 1..<index - 1, escaped: true, ascii: false)
            default:
                // A control character, which JSON allows only escaped.
                throw fail()
            }
        }

        /// The text of a string `skipString()` checked.
        func string(_ checked: CheckedString) throws(ParseError) -> String {
            guard checked.escaped else {
                // No escapes: read the bytes in place, the string's only copy.
                let run = UnsafeBufferPointer(rebasing: bytes[checked.raw])
                return try Self.text(run, start: checked.raw.lowerBound, ascii: checked.ascii)
            }
            var reader = self
            reader.index = checked.raw.lowerBound - 1
            return try reader.escapedString()
        }

        /// Whether a string `skipString()` checked is `text`, compared byte by byte.
        func `is`(_ checked: CheckedString, _ text: StaticString) throws(ParseError) -> Bool {
            guard !checked.escaped else { return try string(checked) == text.description }
            guard checked.raw.count == text.utf8CodeUnitCount else { return false }
            for offset in 0..<checked.raw.count where bytes[checked.raw.lowerBound + offset] != text.utf8Start[offset] {
                return false
            }
            return true
        }

        /// Moves `index` to the first quote, backslash or control character at or
        /// after it, or to the end; returns whether every byte it passed is ASCII.
        ///
        /// Eight bytes at a time: strings are most of a snapshot's bytes.
        mutating func skipPlainBytes() -> Bool {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            /// The high bit of each byte of `word` below `limit` (≤ 0x80). The lowest
            /// flag is exact: a borrow only ever flags bytes above a byte that is below.
            func below(_ limit: UInt64, in word: UInt64) -> UInt64 { (word &- ones &* limit) & ~word & highs }
            // Locals, not `index`: the loops stay in registers.
            let count = bytes.count
            var at = index
            defer { index = at }
            var ascii = true
            if let base = bytes.baseAddress {
                while at + 8 <= count {
                    // Byte `at` is the word's lowest byte on any platform.
                    let word = UInt64(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self))
                    // Non-ASCII, control characters, and (as zero bytes of `word` xor
                    // the byte) quotes and backslashes.
                    let flags = word & highs | below(0x20, in: word) | below(1, in: word ^ (ones &* 0x22))
                        | below(1, in: word ^ (ones &* 0x5C))
                    guard flags != 0 else {
                        at += 8
                        continue
                    }
                    at += flags.trailingZeroBitCount / 8
                    guard bytes[at] >= 0x80 else { return ascii }
                    ascii = false
                    at += 1
                }
            }
            while at < count {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return ascii }
                if byte >= 0x80 { ascii = false }
                at += 1
            }
            return ascii
        }

        /// A string with escapes, from its opening quote.
        mutating func escapedString() throws(ParseError) -> String {
            index += 1
            let start = index
            _ = skipPlainBytes()
            guard index < bytes.count else { throw fail() }
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
            let text = utf8.withUnsafeBufferPointer { try? Self.text($0, start: start, ascii: false) }
            guard let text else { throw ParseError(offset: start) }
            return text
        }

        /// The string these UTF-8 bytes spell; invalid UTF-8 is an error, as in `JSONDecoder`.
        /// Bytes known to be ASCII, the common case, need no validation pass.
        static func text(_ utf8: UnsafeBufferPointer<UInt8>, start: Int, ascii: Bool) throws(ParseError) -> String {
            if ascii || utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
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
