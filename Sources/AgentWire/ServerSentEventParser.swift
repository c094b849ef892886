/// The one `text/event-stream` parser (WHATWG "event stream interpretation"),
/// shared by the model providers and the daemon's clients: bytes in, complete
/// events out, however the network splits them. Lines end in `\n`, `\r\n` or
/// `\r`; a blank line dispatches; `:` lines are comments (keep-alives); `id:`
/// sets the last event id every later event carries; `retry:` and unknown fields
/// are ignored; a byte order mark at the start is skipped. A UTF-8 character
/// split across reads is reassembled because lines are cut as bytes and decoded whole.
///
/// It sits on the client's hot path (a bench reads about 100k events a second),
/// so a line is read straight out of the caller's buffer; only a line the
/// network cut in two is copied.
public struct ServerSentEventParser: Sendable {
    /// A line longer than this is refused: a provider never sends one, a broken
    /// or hostile server must not make the reader buffer without bound.
    public static let maximumLineBytes = 8 << 20

    /// A line exceeded ``maximumLineBytes``.
    public struct LineTooLong: Error, CustomStringConvertible {
        public var description: String { "an event-stream line is longer than \(ServerSentEventParser.maximumLineBytes) bytes" }
    }

    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")

    /// The start of a line the last read cut off.
    private var partial: [UInt8] = []
    /// The last read ended in `\r`: a `\n` first in the next read belongs to it.
    private var lastWasCR = false
    private var atStart = true
    private var lastEventId: String?
    private var eventName: String?
    /// The data lines so far, joined; nil until the event has a `data` field.
    private var data: String?

    /// A parser at the start of a stream.
    public init() {}

    /// Feeds the next bytes; returns the events they completed.
    /// - Parameters:
    ///   - bytes: The next bytes of the stream, cut anywhere.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        let scanned: Void? = try bytes.withContiguousStorageIfAvailable { buffer in
            try scan(buffer, into: &events)
        }
        if scanned == nil {
            try Array(bytes).withUnsafeBufferPointer { try scan($0, into: &events) }
        }
        return events
    }

    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, into events: inout [ServerSentEvent]) throws {
        let count = buffer.count
        var index = 0
        if lastWasCR, count > 0 {
            lastWasCR = false
            if buffer[0] == Self.lineFeed { index = 1 }
        }
        while index < count {
            var end = index
            while end < count, buffer[end] != Self.lineFeed, buffer[end] != Self.carriageReturn { end += 1 }
            guard partial.count + (end - index) <= Self.maximumLineBytes else { throw LineTooLong() }
            guard end < count else {
                partial.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<end]))
                return
            }
            let event: ServerSentEvent?
            if partial.isEmpty {
                event = take(UnsafeBufferPointer(rebasing: buffer[index..<end]))
            } else {
                partial.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<end]))
                var line: [UInt8] = []
                swap(&line, &partial)
                event = line.withUnsafeBufferPointer { take($0) }
                line.removeAll(keepingCapacity: true)
                partial = line
            }
            if let event { events.append(event) }
            if buffer[end] == Self.carriageReturn {
                if end + 1 == count {
                    lastWasCR = true
                    index = count
                } else {
                    index = buffer[end + 1] == Self.lineFeed ? end + 2 : end + 1
                }
            } else {
                index = end + 1
            }
        }
    }

    /// Interprets one complete line; returns the event a blank line dispatches.
    private mutating func take(_ line: UnsafeBufferPointer<UInt8>) -> ServerSentEvent? {
        var start = 0
        if atStart {
            atStart = false
            if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { start = 3 }
        }
        guard start < line.count else { return dispatch() }
        if line[start] == Self.colon { return nil }
        var fieldEnd = start
        while fieldEnd < line.count, line[fieldEnd] != Self.colon { fieldEnd += 1 }
        var valueStart = min(fieldEnd + 1, line.count)
        if valueStart < line.count, line[valueStart] == Self.space { valueStart += 1 }
        let field = UnsafeBufferPointer(rebasing: line[start..<fieldEnd])
        let value = UnsafeBufferPointer(rebasing: line[valueStart...])
        if field.elementsEqual("data".utf8) {
            let text = String(decoding: value, as: UTF8.self)
            if var joined = data {
                // Taken out first so the append does not copy the string.
                data = nil
                joined += "\n"
                joined += text
                data = joined
            } else {
                data = text
            }
        } else if field.elementsEqual("event".utf8) {
            eventName = String(decoding: value, as: UTF8.self)
        } else if field.elementsEqual("id".utf8), !value.contains(0) {
            lastEventId = String(decoding: value, as: UTF8.self)
        }
        // `retry` and unknown fields mean nothing to these readers: they reconnect on their own terms.
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventName = nil
            data = nil
        }
        guard let data else { return nil }
        return ServerSentEvent(id: lastEventId, event: eventName, data: data)
    }
}
