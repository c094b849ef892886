@testable import AgentHost
import AgentWire
import NIOCore
import Testing

/// Exact chunk field sets (reference/protocols.md §1.3) and SSE framing.
@Suite struct StreamFormatTests {
    private func json(_ chunk: UIChunk) -> String {
        (try? WireCoding.encodeString(chunk.json)) ?? ""
    }

    @Test func chunksCarryExactlyTheirFields() {
        #expect(json(.start(messageId: "m")) == #"{"messageId":"m","type":"start"}"#)
        #expect(json(.startStep) == #"{"type":"start-step"}"#)
        #expect(json(.textDelta(id: "t", delta: "a\nb")) == #"{"delta":"a\nb","id":"t","type":"text-delta"}"#)
        #expect(json(.toolInputAvailable(toolCallId: "c", toolName: "n", input: .null)) == #"{"input":null,"toolCallId":"c","toolName":"n","type":"tool-input-available"}"#)
        #expect(json(.toolOutputAvailable(toolCallId: "c", output: .null)) == #"{"output":null,"toolCallId":"c","type":"tool-output-available"}"#)
        #expect(json(.finish(finishReason: .toolCalls)) == #"{"finishReason":"tool-calls","type":"finish"}"#)
        #expect(json(.abort) == #"{"type":"abort"}"#)
        #expect(json(.data(name: "x", data: 1, transient: false)) == #"{"data":1,"type":"data-x"}"#)
        #expect(json(ControlPart.turnComplete(inSeq: 12)) == #"{"data":{"inSeq":12},"transient":true,"type":"data-turn-complete"}"#)
    }

    @Test func sseEventsAreFramedWithSeqAndBlankLine() {
        let event = ServerSentEvents.event(id: 7, data: #"{"type":"start"}"#)
        #expect(String(buffer: event) == "id: 7\ndata: {\"type\":\"start\"}\n\n")
        // A raw newline can never split an event.
        #expect(String(buffer: ServerSentEvents.event(id: nil, data: "a\nb")) == "data: a\ndata: b\n\n")
    }
}
