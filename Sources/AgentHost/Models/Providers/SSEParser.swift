/// One event of a provider's `text/event-stream`.
public struct SSEEvent: Sendable, Hashable {
    /// The `event:` field; Anthropic names every event, OpenAI none.
    public var event: String?
    /// The `data:` lines, joined with `\n`.
    public var data: String

    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }
}

/// The one SSE line parser every provider shares (WHATWG "event stream
/// interpretation"): bytes in, complete events out, however the network splits
/// them. Lines end in `\n`, `\r\n` or `\r`; a blank line dispatches; `:` lines
/// are comments; a UTF-8 character split across reads is reassembled because
/// lines are cut as bytes and decoded whole.
public struct SSEParser: Sendable {
    /// A line longer than this is refused: a provider never sends one, a broken
    /// or hostile server must not make the daemon buffer without bound.
    public static let maximumLineBytes = 8 << 20

    public struct LineTooLong: Error, CustomStringConvertible {
        public var description: String { "an event-stream line is longer than \(SSEParser.maximumLineBytes) bytes" }
    }

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var atStart = true
    private var eventName: String?
    private var dataLines: [String] = []

    public init() {}

    /// Feeds the next bytes; returns the events they completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                lastWasCR = true
                if let event = endLine() { events.append(event) }
            case 0x0A:
                if let event = endLine() { events.append(event) }
            default:
                guard line.count < Self.maximumLineBytes else { throw LineTooLong() }
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        var bytes = line[...]
        if atStart {
            atStart = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        guard !bytes.isEmpty else { return dispatch() }
        if bytes.first == UInt8(ascii: ":") { return nil }
        let field: String
        var value: ArraySlice<UInt8> = []
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: bytes[..<colon], as: UTF8.self)
            value = bytes[bytes.index(after: colon)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = String(decoding: bytes, as: UTF8.self)
        }
        switch field {
        case "event": eventName = String(decoding: value, as: UTF8.self)
        case "data": dataLines.append(String(decoding: value, as: UTF8.self))
        default: break  // `id`, `retry` and unknown fields mean nothing to a one-shot request
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventName = nil
            dataLines = []
        }
        guard !dataLines.isEmpty else { return nil }
        return SSEEvent(event: eventName, data: dataLines.joined(separator: "\n"))
    }
}
