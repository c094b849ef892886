import AgentWire
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import AgentHost

/// The one SSE builder behind `/out` and the AI SDK routes: the bytes each
/// framing writes for a feed, and when each stream ends.
@Suite struct HTTPSSEResponseTests {
    static func output(_ seq: Int64, _ text: String) -> LogRecord {
        LogRecord(chatId: "c", seq: seq, kind: .output, body: #"{"type":"text-delta","id":"t","delta":"\#(text)"}"#)
    }

    static func control(_ seq: Int64, _ part: ControlPart) throws -> LogRecord {
        LogRecord(chatId: "c", seq: seq, kind: .control, body: try WireCoding.encodeString(part.chunk.json))
    }

    static func text(of response: Response) async throws -> String {
        let collector = HTTPRouterFixture.Collector()
        _ = try await response.body.write(collector)
        return await collector.text
    }

    @Test func outSendsEveryRecordWithItsSeqAndKeepAlivesWhenIdle() async throws {
        let (events, feed) = AsyncThrowingStream.makeStream(of: SessionFeed.Event.self)
        feed.yield(.records([Self.output(3, "a"), Self.output(4, "b")]))
        feed.yield(.idle)
        feed.yield(.records([Self.output(5, "c")]))
        feed.finish()
        let response = SSEResponse(events: events, framing: AllRecordsFraming(), connection: nil).response()

        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/event-stream")
        #expect(response.headers[.cacheControl] == "no-cache")
        #expect(response.headers[HTTPField.Name("x-accel-buffering")!] == "no")
        #expect(response.headers[HTTPField.Name("x-vercel-ai-ui-message-stream")!] == nil)
        #expect(try await Self.text(of: response) == """
            id: 3\ndata: {"type":"text-delta","id":"t","delta":"a"}\n\n\
            id: 4\ndata: {"type":"text-delta","id":"t","delta":"b"}\n\n\
            : keep-alive\n\n\
            id: 5\ndata: {"type":"text-delta","id":"t","delta":"c"}\n\n
            """)
    }

    /// One turn out of the feed: earlier turns and the host's framing records
    /// left out, other control parts passed on, `[DONE]` at its end — and the
    /// response ends there though the session's feed goes on.
    @Test func aiChatSendsOneTurnThenDoneAndEnds() async throws {
        let (events, feed) = AsyncThrowingStream.makeStream(of: SessionFeed.Event.self)
        feed.yield(.records([
            Self.output(2, "earlier turn"), try Self.control(3, .turnComplete(inSeq: 1)),
            try Self.control(5, .turnStart(inSeq: 4)), Self.output(6, "a"),
        ]))
        feed.yield(.idle)
        feed.yield(.records([
            try Self.control(7, .upgraded(inSeq: 4, fromGeneration: 1, toGeneration: 2, version: "2")),
            Self.output(8, "b"), try Self.control(9, .turnComplete(inSeq: 4)), Self.output(10, "next turn"),
        ]))
        // Not finished: the session's feed outlives the turn.
        let response = SSEResponse(events: events, framing: TurnFraming(inSeq: 4), connection: nil).response()

        #expect(response.headers[.contentType] == "text/event-stream")
        #expect(response.headers[.cacheControl] == "no-cache")
        #expect(response.headers[.connection] == "keep-alive")
        #expect(response.headers[HTTPField.Name("x-vercel-ai-ui-message-stream")!] == "v1")
        #expect(response.headers[HTTPField.Name("x-accel-buffering")!] == "no")
        let upgraded = try WireCoding.encodeString(ControlPart.upgraded(inSeq: 4, fromGeneration: 1, toGeneration: 2, version: "2").chunk.json)
        #expect(try await Self.text(of: response) == """
            data: {"type":"text-delta","id":"t","delta":"a"}\n\n\
            : keep-alive\n\n\
            data: \(upgraded)\n\n\
            data: {"type":"text-delta","id":"t","delta":"b"}\n\n\
            data: [DONE]\n\n
            """)
        feed.finish()
    }
}
