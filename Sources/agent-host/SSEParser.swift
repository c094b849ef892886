/// Incremental `text/event-stream` parsing for the terminal client: feed bytes
/// as they arrive, take complete events out. Comments (keep-alives) are skipped.
struct SSEParser {
    struct Event: Equatable {
        var id: String?
        var data: String
    }

    private var pending: [UInt8] = []
    private var id: String?
    private var data: [String] = []

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        var start = 0
        var index = 0
        while index < pending.count {
            let byte = pending[index]
            guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
                index += 1
                continue
            }
            // A "\r" at the end may be half of "\r\n": wait for the next bytes.
            if byte == UInt8(ascii: "\r"), index + 1 == pending.count { break }
            let line = String(decoding: pending[start..<index], as: UTF8.self)
            let crlf = byte == UInt8(ascii: "\r") && pending[index + 1] == UInt8(ascii: "\n")
            index += crlf ? 2 : 1
            start = index
            if let event = take(line) { events.append(event) }
        }
        pending.removeFirst(start)
        return events
    }

    private mutating func take(_ line: String) -> Event? {
        if line.isEmpty {
            defer { data = [] }
            return data.isEmpty ? nil : Event(id: id, data: data.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field = line.prefix { $0 != ":" }
        var value = line.dropFirst(field.count).dropFirst()
        if value.hasPrefix(" ") { value = value.dropFirst() }
        switch field {
        case "data": data.append(String(value))
        case "id": id = String(value)
        default: break
        }
        return nil
    }
}
