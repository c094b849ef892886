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
        #expect(json(ControlPart.turnComplete(inSeq: 12).chunk) == #"{"data":{"inSeq":12},"transient":true,"type":"data-turn-complete"}"#)
    }

    @Test func directJSONTextMatchesTheDecoderRoundTrip() throws {
        let values: [JSONValue] = [
            ["type": "text-delta", "delta": "quote \" backslash \\ newline \n tab \t bell \u{07} é 🎉", "id": "t"],
            ["n": 3, "x": 2.5, "big": 1e20, "neg": -7, "flag": true, "none": .null, "list": [1, "two", [:]]],
        ]
        for value in values {
            let text = value.jsonText
            #expect(try WireCoding.decode(JSONValue.self, from: text) == value)
            #expect(!text.contains("\n"), "a raw newline would split an SSE event")
        }
        #expect(JSONValue.object(["b": 1, "a": "x"]).jsonText == #"{"a":"x","b":1}"#)
        #expect(JSONValue.string("\u{01}").jsonText == #""\u0001""#)
        #expect(JSONValue.number(.nan).jsonText == "null")
    }

    @Test func sseEventsAreFramedWithSeqAndBlankLine() {
        let event = ServerSentEvents.event(id: 7, data: #"{"type":"start"}"#)
        #expect(String(buffer: event) == "id: 7\ndata: {\"type\":\"start\"}\n\n")
        // A raw newline can never split an event.
        #expect(String(buffer: ServerSentEvents.event(id: nil, data: "a\nb")) == "data: a\ndata: b\n\n")
    }
}
