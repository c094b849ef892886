import Foundation
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

    @Test func aHeldSlowAnswerWaitsAfterItsThirdWordUntilTheFileExists() async throws {
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("scripted-hold-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: gate) }
        let model = ScriptedModel(delayMilliseconds: 0)
        var stream = model.stream(ModelRequest(system: nil, messages: [.user("/slow 6 hold \(gate)")], tools: [])).makeAsyncIterator()
        var words: [String] = []
        for _ in 0..<3 {
            if case .textDelta(let delta)? = try await stream.next() { words.append(delta) }
        }
        #expect(words.joined() == "1 2 3")
        // The fourth word waits for the file; it comes once the file is there.
        let rest = Task {
            var text = ""
            while let event = try await stream.next() { if case .textDelta(let delta) = event { text += delta } }
            return text
        }
        #expect(FileManager.default.createFile(atPath: gate, contents: Data()))
        #expect(try await rest.value == " 4 5 6")

        // A step resumed after "1 2" holds at the same place of the answer: after one more word.
        let resumed = model.plan(for: ModelRequest(system: nil, messages: [.user("/slow 6 hold \(gate)"), .assistant(text: "1 2", toolCalls: [])], tools: []))
        #expect(text(of: resumed.events) == " 3 4 5 6")
        #expect(resumed.hold?.afterWords == 1)
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

/// The scripted model says what arrived, so attachments are testable offline.
@Suite struct ScriptedModelAttachmentTests {
    private func text(_ parts: [ModelContentPart]) -> String {
        ScriptedModel().plan(for: ModelRequest(system: nil, messages: [.user(parts: parts)], tools: []))
            .events.compactMap { if case .textDelta(let delta) = $0 { delta } else { nil } }.joined()
    }

    @Test func describesEachFileByNameTypeAndSize() {
        let photo = ModelFile(mediaType: "image/png", filename: "photo.png", source: .bytes(Data(count: 12 * 1024)))
        #expect(text([.file(photo)]) == "You sent: photo.png (image/png, 12 KB)")
        let csv = ModelFile(mediaType: "text/csv", filename: "t.csv", source: .bytes(Data("a,b".utf8)))
        let link = ModelFile(mediaType: "image/jpeg", source: .url("https://example.com/c.jpg"))
        #expect(text([.text("what are these?"), .file(csv), .file(link)])
            == "You sent: t.csv (text/csv, 3 bytes), a file (image/jpeg, by URL). You said: what are these?")
        let big = ModelFile(mediaType: "application/pdf", filename: "big.pdf", source: .bytes(Data(count: 3 * 1024 * 1024 + 400 * 1024)))
        #expect(text([.file(big)]) == "You sent: big.pdf (application/pdf, 3.4 MB)")
    }

    @Test func textOnlyMessagesAreEchoedAsBefore() {
        #expect(text([.text("hello world")]) == "You said: hello world")
    }
}
