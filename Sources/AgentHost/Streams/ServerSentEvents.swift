import NIOCore

/// SSE framing for the output stream: `id:` is the record's seq, `data:` one
/// chunk as a single line of JSON, `\n` line ends (reference/protocols.md §1.1).
enum ServerSentEvents {
    static func event(id: Int64?, data: String) -> ByteBuffer {
        var text = ""
        if let id { text += "id: \(id)\n" }
        // JSON from our encoder never contains a raw newline; guard anyway so a
        // stray one cannot split an event.
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        text += "\n"
        return ByteBuffer(string: text)
    }

    /// Several records as one buffer: one socket write for a whole batch.
    static func events(_ records: [LogRecord]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for record in records {
            var event = event(id: record.seq, data: record.body)
            buffer.writeBuffer(&event)
        }
        return buffer
    }

    static let keepAlive = ByteBuffer(string: ": keep-alive\n\n")
    static let done = ByteBuffer(string: "data: [DONE]\n\n")
}
