import HTTPTypes
import NIOCore

/// `/realtime/v1/sessions/{chatId}/out`: every record of the feed as one event,
/// `id:` its seq so `Last-Event-ID` resumes after it. The stream has no end of
/// its own; it lasts as long as the session's feed.
struct AllRecordsFraming: SSEFraming {
    static var headers: HTTPFields { eventStreamHeaders(uiMessageStream: false) }

    mutating func write(_ records: [LogRecord], into buffer: inout ByteBuffer) -> Bool {
        for record in records { ServerSentEvents.write(id: record.seq, data: record.body, into: &buffer) }
        return false
    }
}
