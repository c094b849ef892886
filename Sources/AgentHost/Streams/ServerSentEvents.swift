import NIOCore

/// SSE framing for the output stream: `id:` is the record's seq, `data:` one
/// chunk as a single line of JSON, `\n` line ends (reference/protocols.md §1.1).
enum ServerSentEvents {
    static func event(id: Int64?, data: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        write(id: id, data: data, into: &buffer)
        return buffer
    }

    static func write(id: Int64?, data: String, into buffer: inout ByteBuffer) {
        write(textId: id.map { String($0) }, data: data, into: &buffer)
    }

    /// One event whose `id:` is any text (the session change feed's cursors).
    static func write(textId id: String?, data: String, into buffer: inout ByteBuffer) {
        if let id {
            buffer.writeStaticString("id: ")
            buffer.writeString(id)
            buffer.writeStaticString("\n")
        }
        // JSON from our encoder never holds a raw newline; if a body ever did,
        // each line becomes its own `data:` line so it cannot split the event.
        if data.utf8.contains(UInt8(ascii: "\n")) {
            for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
                buffer.writeStaticString("data: ")
                buffer.writeSubstring(line)
                buffer.writeStaticString("\n")
            }
        } else {
            buffer.writeStaticString("data: ")
            buffer.writeString(data)
            buffer.writeStaticString("\n")
        }
        buffer.writeStaticString("\n")
    }

    /// Several records as one buffer: one socket write for a whole batch.
    static func events(_ records: [LogRecord]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for record in records { write(id: record.seq, data: record.body, into: &buffer) }
        return buffer
    }

    static let keepAlive = ByteBuffer(string: ": keep-alive\n\n")
    static let done = ByteBuffer(string: "data: [DONE]\n\n")
}
