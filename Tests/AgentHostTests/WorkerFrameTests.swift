@testable import AgentHost
import Testing

/// The wire format between the daemon and a plugin worker, and the reply
/// table that makes a second answer harmless.
@Suite struct WorkerFrameTests {
    @Test func aFrameRoundTripsThroughItsHeaderAndPayload() throws {
        let frame = WorkerFrame(.finishTurn, status: 4, turnId: 0x0102_0304_0506_0708, callId: 42, text: "ünïcode ✓")
        let bytes = frame.encoded
        #expect(bytes.count == WorkerFrame.headerSize + frame.payload.count)
        let header = try WorkerFrame.header(bytes.prefix(WorkerFrame.headerSize))
        #expect(header == WorkerFrame.Header(payloadLength: frame.payload.count, kind: .finishTurn, status: 4,
                                             turnId: 0x0102_0304_0506_0708, callId: 42))
        let read = WorkerFrame(header.kind, status: header.status, turnId: header.turnId, callId: header.callId,
                               payload: Array(bytes.dropFirst(WorkerFrame.headerSize)))
        #expect(read == frame)
        #expect(read.text == "ünïcode ✓")
    }

    @Test func anUnknownKindOrAnAbsurdLengthIsABrokenPeer() {
        var unknown = WorkerFrame(.emit, text: "{}").encoded
        unknown[4] = 0xEE
        #expect(throws: WorkerFrame.DecodingError.unknownKind(0xEE)) { try WorkerFrame.header(unknown) }

        var huge = WorkerFrame(.emit).encoded
        for index in 0..<4 { huge[index] = 0xFF }
        #expect(throws: WorkerFrame.DecodingError.payloadTooLarge(Int(UInt32.max))) { try WorkerFrame.header(huge) }
    }

    @Test func aServiceCallSplitsAtTheFirstNulOnly() {
        let frame = WorkerFrame(.callService, payload: WorkerFrame.serviceCall(service: "model.stream", request: "{\"a\":\"\\u0000\"}"))
        #expect(frame.serviceCall.service == "model.stream")
        #expect(frame.serviceCall.request == "{\"a\":\"\\u0000\"}")
    }

    @Test func aReplyIsDeliveredOnceAndLateOrSecondAnswersAreMisses() async {
        let replies = ReplyTable<Int>()
        let id = replies.makeId()
        let value = await replies.await(id) {
            #expect(replies.resume(id, with: 1))
            return nil
        }
        #expect(value == 1)
        #expect(!replies.resume(id, with: 2), "a second answer finds nobody")

        // A call that cannot start answers itself.
        #expect(await replies.await(replies.makeId()) { 7 } == 7)

        // A peer that goes away answers everything still waiting.
        async let waiting = replies.await(99) { nil }
        while !replies.resume(99, with: 5) { await Task.yield() }
        #expect(await waiting == 5)
    }
}
