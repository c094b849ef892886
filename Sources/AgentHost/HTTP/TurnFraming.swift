import HTTPTypes
import NIOCore

/// The AI SDK routes (`/api/chat/…`): one turn's chunks, from its `start` to
/// `data: [DONE]`, framed as the AI SDK's own server frames them
/// (reference/protocols.md §1.1–1.2): no `id:`, the host's turn framing
/// records left out (`TurnFilter` decides).
struct TurnFraming: SSEFraming {
    private var filter: TurnFilter

    /// - Parameters:
    ///   - inSeq: the seq of the input whose turn this stream carries.
    init(inSeq: Int64) {
        filter = TurnFilter(inSeq: inSeq)
    }

    static var headers: HTTPFields { eventStreamHeaders(uiMessageStream: true) }

    mutating func write(_ records: [LogRecord], into buffer: inout ByteBuffer) -> Bool {
        for record in records {
            switch filter.verdict(for: record) {
            case .skip:
                continue
            case .forward:
                ServerSentEvents.write(id: nil, data: record.body, into: &buffer)
            case .end:
                buffer.writeImmutableBuffer(ServerSentEvents.done)
                return true
            }
        }
        return false
    }
}
