@testable import AgentHost
import AgentWire
import Foundation
import TestSupport
import Testing

/// The turn runner against a log that is not a session: what it writes, in
/// what order, for a turn that runs, fails, is stopped or was cut off.
@Suite struct TurnRunnerTests {
    /// A `TurnLog` that keeps entries in memory and reports when the turn ended.
    actor MemoryLog: TurnLog {
        nonisolated let chatId: String
        nonisolated let agent: String
        private(set) var entries: [LogEntry] = []
        private(set) var ended = false
        private(set) var willRunCalls = 0
        let conversationSoFar: [UIMessage]
        let savedCheckpoint: TurnCheckpoint?

        init(agent: String = "my-chat", conversation: [UIMessage], checkpoint: TurnCheckpoint? = nil) {
            chatId = "turn-test"
            self.agent = agent
            conversationSoFar = conversation
            savedCheckpoint = checkpoint
        }

        func append(_ entries: [LogEntry]) async throws { self.entries += entries }
        var conversation: [UIMessage] { conversationSoFar }
        var modelConversation: [ModelMessage] { ModelMessage.from(conversationSoFar) }
        var conversationEnd: (count: Int, newest: UIMessage?) { (conversationSoFar.count, conversationSoFar.last) }
        var agentState: (state: JSONValue, version: String)? { nil }
        var checkpoint: TurnCheckpoint? { savedCheckpoint }
        func turnWillRun() async throws { willRunCalls += 1 }
        func turnDidEnd() async { ended = true }

        var chunks: [UIChunk] { entries.compactMap { UIChunk(json: $0.body) } }
    }

    private func run(_ log: MemoryLog, origin: TurnRunner.Origin, host: HostFixture, stopFirst: Bool = false) async throws {
        let handle = TurnHandle(stopGracePeriod: .seconds(2))
        if stopFirst { handle.stop() }
        TurnRunner.start(log: log, origin: origin, services: host.services.turnServices, handle: handle)
        try await waitUntil { await log.ended }
    }

    @Test func aTurnIsFramedAndStreamedIntoTheLog() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let log = MemoryLog(conversation: [.text("hi there", role: "user", id: "u")])
        try await run(log, origin: .input(inSeq: 7), host: host)
        let chunks = await log.chunks
        #expect(chunks.first?.control == .turnStart(inSeq: 7))
        #expect(chunks.dropFirst().first == .start(messageId: "msg-7-turn-test"))
        #expect(chunks.suffix(2) == [.finish(finishReason: .stop), ControlPart.turnComplete(inSeq: 7).chunk])
        #expect(chunks.contains(.textDelta(id: "text-1", delta: " there")))
        #expect(await log.willRunCalls == 1)
        // Control parts are control records; the rest are output, but for the
        // private record each step ends with (the turn timeline's), right before its `finish-step`.
        let entries = await log.entries
        let kinds = entries.map(\.kind)
        #expect(kinds.first == .control && kinds.last == .control)
        #expect(kinds.dropFirst().dropLast().allSatisfy { $0 == .output || $0 == .state })
        let stepRecords = entries.indices.filter { entries[$0].kind == .state }
        #expect(stepRecords.count == chunks.filter { $0 == .finishStep }.count)
        for index in stepRecords {
            #expect(entries[index].body[TurnTimeline.stepKey]?["generation"] != nil)
            #expect(entries[index + 1].body == UIChunk.finishStep.json)
        }
    }

    @Test func aFramedInputIsNotFramedTwice() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let log = MemoryLog(conversation: [.text("hi", role: "user", id: "u")])
        try await run(log, origin: .framedInput(inSeq: 3), host: host)
        let chunks = await log.chunks
        #expect(chunks.first == .startStep)
        #expect(!chunks.contains { $0.control == .turnStart(inSeq: 3) })
        #expect(chunks.last?.control == .turnComplete(inSeq: 3))
    }

    @Test func anUnknownAgentEndsTheResponseWithAnError() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let log = MemoryLog(agent: "nobody", conversation: [.text("hi", role: "user", id: "u")])
        try await run(log, origin: .input(inSeq: 1), host: host)
        let chunks = await log.chunks
        guard chunks.count == 5, case .error(let text) = chunks[2] else {
            Issue.record("unexpected chunks \(chunks)")
            return
        }
        #expect(text.contains("nobody"))
        #expect(chunks[3] == .finish(finishReason: .error))
        #expect(chunks[4].control == .turnComplete(inSeq: 1))
    }

    @Test func aStopBeforeTheTurnHasAPluginEndsItInAbort() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let log = MemoryLog(conversation: [.text("hi", role: "user", id: "u")])
        try await run(log, origin: .input(inSeq: 1), host: host, stopFirst: true)
        let chunks = await log.chunks
        #expect(chunks.suffix(2) == [.abort, ControlPart.turnComplete(inSeq: 1).chunk])
        #expect(!chunks.contains { if case .finish = $0 { true } else { false } })
    }

    @Test func aCutOffTurnWhoseResponseEndedOnlyGetsItsCompletion() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        var checkpoint = TurnCheckpoint(inSeq: 4)
        checkpoint.started = true
        checkpoint.responseEnded = true
        let log = MemoryLog(conversation: [], checkpoint: checkpoint)
        try await run(log, origin: .interrupted(checkpoint), host: host)
        #expect(await log.chunks == [ControlPart.interrupted(inSeq: 4).chunk, ControlPart.turnComplete(inSeq: 4).chunk])
    }

    @Test func aCutOffTurnThatWasStoppedIsClosedWithAbortNotRerun() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        var checkpoint = TurnCheckpoint(inSeq: 4)
        checkpoint.stopRequested = true
        let log = MemoryLog(conversation: [], checkpoint: checkpoint)
        try await run(log, origin: .interrupted(checkpoint), host: host)
        // `start` was never written, so the resumed turn writes it before closing.
        #expect(await log.chunks == [
            ControlPart.interrupted(inSeq: 4).chunk, .start(messageId: "msg-4-turn-test"), .abort,
            ControlPart.turnComplete(inSeq: 4).chunk,
        ])
    }
}
