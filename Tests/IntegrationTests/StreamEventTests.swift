import AgentHostClient
import AgentWire
import Testing

/// Reading a session's records without a daemon: the control-part shortcut the bench relies on.
@Suite struct StreamEventTests {
    private func event(_ chunk: UIChunk) -> StreamEvent {
        StreamEvent(id: 1, data: chunk.json.jsonText)
    }

    @Test func controlPartsAreRecognisedAndOtherChunksAreNot() {
        #expect(event(ControlPart.turnComplete(inSeq: 4).chunk).control == .turnComplete(inSeq: 4))
        #expect(event(ControlPart.turnStart(inSeq: 9).chunk).control == .turnStart(inSeq: 9))
        #expect(event(ControlPart.upgraded(inSeq: 2, fromGeneration: 1, toGeneration: 2, version: "v2").chunk).control
            == .upgraded(inSeq: 2, fromGeneration: 1, toGeneration: 2, version: "v2"))
        #expect(event(.textDelta(id: "t", delta: "hello")).control == nil)
    }

    @Test func theKeyInsideTextOrAToolInputIsNotAControlPart() {
        // Quoted inside a string the key's quotes are escaped; inside a tool input it is decoded and read properly.
        #expect(event(.textDelta(id: "t", delta: #"{"inSeq":3}"#)).control == nil)
        #expect(event(.toolInputAvailable(toolCallId: "c", toolName: "x", input: ["inSeq": 3])).control == nil)
        #expect(event(.data(name: "turn-complete", data: ["inSeq": 3], transient: false)).control == nil)
    }

    @Test func theChunkIsDecodedFromTheData() {
        #expect(event(.textDelta(id: "t", delta: "hi")).chunk == .textDelta(id: "t", delta: "hi"))
        #expect(StreamEvent(id: 2, data: "not json").chunk == nil)
    }
}
