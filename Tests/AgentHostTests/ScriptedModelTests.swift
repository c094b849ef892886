@testable import AgentHost
import AgentWire
import Testing

@Suite struct ScriptedModelTests {
    private func text(of events: [ModelEvent]) -> String {
        events.compactMap { if case .textDelta(let delta) = $0 { delta } else { nil } }.joined()
    }

    @Test func echoesWordByWord() {
        let plan = ScriptedModel().plan(for: ModelRequest(system: nil, messages: [.user("hello world")], tools: []))
        #expect(plan.events == [.textDelta("You"), .textDelta(" said:"), .textDelta(" hello"), .textDelta(" world"), .finish(.stop)])
        #expect(!plan.paced)
    }

    @Test func slowStreamsNumberedWordsPaced() {
        let plan = ScriptedModel().plan(for: ModelRequest(system: nil, messages: [.user("/slow 5")], tools: []))
        #expect(text(of: plan.events) == "1 2 3 4 5")
        #expect(plan.paced)
    }

    @Test func toolDirectiveCallsThenAnswersWithTheResult() {
        let model = ScriptedModel()
        let first = model.plan(for: ModelRequest(system: nil, messages: [.user(#"/tool add {"a": 2.5, "b": 3}"#)], tools: []))
        guard case .toolCall(let id, let name, let input) = first.events.first else {
            Issue.record("expected a tool call, got \(first.events)")
            return
        }
        #expect(name == "add")
        #expect(input == ["a": 2.5, "b": 3])
        #expect(first.events.last == .finish(.toolCalls))
        let second = model.plan(for: ModelRequest(system: nil, messages: [
            .user("/tool add"), .assistant(text: "", toolCalls: [ModelToolCall(id: id, name: name, input: input)]),
            .toolResult(callId: id, name: name, output: 5.5, isError: false),
        ], tools: []))
        #expect(text(of: second.events) == "add returned 5.5")
    }

    @Test func aPrefillContinuesWhereTheAnswerStopped() {
        let plan = ScriptedModel().plan(for: ModelRequest(
            system: nil, messages: [.user("/slow 6"), .assistant(text: "1 2 3", toolCalls: [])], tools: []
        ))
        #expect(text(of: plan.events) == " 4 5 6")
        // Splitting inside a word keeps the rest of that word.
        #expect(ScriptedModel.continuing([.textDelta("You"), .textDelta(" said:")], after: "You sa") == [.textDelta("id:")])
        // A prefill that is not ours is answered in full.
        #expect(ScriptedModel.continuing([.textDelta("You")], after: "Other") == [.textDelta("You")])
    }
}
