import AgentWire
import Foundation

/// A deterministic model that needs no network: the default when no provider is
/// configured, and the model every offline test and demo uses.
///
/// - `hello world` → `You said: hello world`, streamed word by word;
/// - a message with attachments → `You sent: photo.png (image/png, 12 KB)`, then
///   `. You said: …` when it has text too: what arrived, testable offline;
/// - `/slow N` → `1 2 … N`, one word every `delayMilliseconds`;
/// - `/slow N hold PATH` → the same, but after the first three words it waits
///   until the file PATH exists: a turn that is certainly still running when a
///   test acts on it (kill, stop, a storage fault), however late the test runs.
///   The hold is at a place in the answer, so a resumed step holds there too;
/// - `/tool NAME {json}` → step 1 calls tool NAME with that input, step 2 answers
///   with the tool's result; several `/tool` lines make several calls in one step
///   (ids `call_N`, `call_N_2`, …), and step 2 answers with the last call's result;
/// - `/recall` → `Tool results I was given: NAME=<json>; …`: every tool result
///   in the conversation the model received, as the model received it (a tool's
///   compact `toModelOutput` form, not the output the UI shows);
/// - `/history` → `I was given: user: hi | assistant: You said: hi | …`: every
///   message of the request in order (text, tool calls and results): what a
///   steered message or a compaction did to the model's context;
/// - a summary request (the compaction prompt) → `Summary: <user texts joined by "; ">`.
///
/// `scripted:counting` answers the same and reports token usage: input tokens
/// are a token per four characters of the request (`estimatedInputTokens`),
/// output tokens the same of its answer — deterministic, so thresholds such as
/// compaction's can be tested offline. `scripted:echo` reports none.
public struct ScriptedModel: LanguageModel {
    public var identifier: String { reportsUsage ? "scripted:counting" : "scripted:echo" }
    public let delayMilliseconds: Int
    /// Whether each request ends with a deterministic `usage` report.
    public let reportsUsage: Bool
    /// A resumed step continues after the text already streamed, like Anthropic prefill.
    public var supportsAssistantPrefill: Bool { true }

    /// - Parameters:
    ///   - delayMilliseconds: The pause before each word of `/slow`.
    ///   - reportsUsage: Whether requests report deterministic token usage (`scripted:counting`).
    public init(delayMilliseconds: Int = 20, reportsUsage: Bool = false) {
        self.delayMilliseconds = max(0, delayMilliseconds)
        self.reportsUsage = reportsUsage
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let plan = plan(for: request)
        let delay = delayMilliseconds
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var words = 0
                    for event in plan.events {
                        if case .textDelta = event {
                            if let hold = plan.hold, words >= hold.afterWords { try await Self.wait(for: hold.path) }
                            words += 1
                        }
                        if plan.paced, delay > 0, case .textDelta = event {
                            try await Task.sleep(for: .milliseconds(delay))
                        }
                        try Task.checkCancellation()
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    struct Plan {
        var events: [ModelEvent]
        var paced: Bool
        /// `/slow N hold PATH`: the words after `afterWords` wait until `path` exists.
        var hold: (path: String, afterWords: Int)? = nil
    }

    /// How many words `/slow N hold PATH` streams before it waits.
    static let wordsBeforeHold = 3

    /// Waits (cancellably) until a file exists.
    static func wait(for path: String) async throws {
        while !FileManager.default.fileExists(atPath: path) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func plan(for request: ModelRequest) -> Plan {
        // A retried step continues after what was already streamed: the prefix
        // comes as `assistantPrefix`, or as a trailing assistant text (prefill).
        var messages = request.messages
        var prefix = request.assistantPrefix ?? ""
        if prefix.isEmpty, case .assistant(let text, let calls, _)? = messages.last, calls.isEmpty {
            prefix = text
            messages.removeLast()
        }
        var plan = freshPlan(for: messages)
        if !prefix.isEmpty {
            let words = plan.events.count
            plan.events = Self.continuing(plan.events, after: prefix)
            // The hold stays where it was in the whole answer.
            if let hold = plan.hold {
                plan.hold = (hold.path, max(0, hold.afterWords - (words - plan.events.count)))
            }
        }
        if reportsUsage {
            let output = plan.events.reduce(0) { total, event in
                if case .textDelta(let delta) = event { return total + delta.count }
                return total
            }
            let usage = ModelUsage(inputTokens: request.estimatedInputTokens, outputTokens: ModelRequest.tokens(forCharacters: output))
            plan.events.insert(.usage(usage), at: max(0, plan.events.count - 1))
        }
        return plan
    }

    private func freshPlan(for messages: [ModelMessage]) -> Plan {
        // A step after a tool round trip answers with the tool's result.
        if case .toolResult(_, let name, let output, let isError)? = messages.last {
            let rendered = (try? WireCoding.encodeString(output)) ?? "null"
            let text = isError ? "Tool \(name) failed: \(output.stringValue ?? rendered)" : "\(name) returned \(rendered)"
            return Plan(events: Self.words(text) + [.finish(.stop)], paced: false)
        }
        let lastUser = messages.last { if case .user = $0 { true } else { false } }
        guard case .user(let parts) = lastUser else {
            return Plan(events: Self.words("Hello! Send me a message.") + [.finish(.stop)], paced: false)
        }
        let files = parts.compactMap { part -> ModelFile? in if case .file(let file) = part { file } else { nil } }
        let text = parts.compactMap { part -> String? in if case .text(let text) = part { text } else { nil } }
            .joined().trimmingCharacters(in: .whitespacesAndNewlines)
        if !files.isEmpty {
            let sent = "You sent: " + files.map(Self.describe).joined(separator: ", ")
            return Plan(events: Self.words(text.isEmpty ? sent : "\(sent). You said: \(text)") + [.finish(.stop)], paced: false)
        }
        if text == "/recall" {
            return Plan(events: Self.words(Self.recall(messages)) + [.finish(.stop)], paced: false)
        }
        if text == "/history" {
            return Plan(events: Self.words(Self.history(messages)) + [.finish(.stop)], paced: false)
        }
        if text.hasPrefix(Self.summaryRequestPrefix) {
            return Plan(events: Self.words(Self.summary(messages.dropLast())) + [.finish(.stop)], paced: false)
        }
        if text.hasPrefix("/slow") {
            let arguments = text.dropFirst("/slow".count).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            let count = min(max(arguments.first.flatMap { Int($0) } ?? 10, 1), 100_000)
            var plan = Plan(events: Self.words((1...count).map(String.init).joined(separator: " ")) + [.finish(.stop)], paced: true)
            if arguments.count == 3, arguments[1] == "hold" {
                plan.hold = (String(arguments[2]), Self.wordsBeforeHold)
            }
            return plan
        }
        if text.hasPrefix("/tool ") {
            // One call per `/tool` line, all in the same step: `call_N`, then `call_N_2`, …
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("/tool ") }
            let calls = lines.enumerated().map { index, line -> ModelEvent in
                let rest = line.dropFirst("/tool ".count).trimmingCharacters(in: .whitespaces)
                let name = String(rest.prefix { !$0.isWhitespace })
                let json = rest.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
                let input = (try? WireCoding.decode(JSONValue.self, from: json.isEmpty ? "{}" : json)) ?? .object([:])
                let callId = index == 0 ? "call_\(messages.count)" : "call_\(messages.count)_\(index + 1)"
                return .toolCall(id: callId, name: name, input: input)
            }
            return Plan(events: calls + [.finish(.toolCalls)], paced: false)
        }
        return Plan(events: Self.echo("You said: \(text)") + [.finish(.stop)], paced: false)
    }

    /// `/recall`'s answer: the tool results the model was given, in order.
    static func recall(_ messages: [ModelMessage]) -> String {
        let results = messages.compactMap { message -> String? in
            guard case .toolResult(_, let name, let output, _) = message else { return nil }
            return "\(name)=\((try? WireCoding.encodeString(output)) ?? "null")"
        }
        return results.isEmpty ? "No tool results were given to me." : "Tool results I was given: " + results.joined(separator: "; ")
    }

    /// `/history`'s answer: every message it was given, in order, on one line.
    static func history(_ messages: [ModelMessage]) -> String {
        let lines = messages.map { message -> String in
            switch message {
            case .user(let parts):
                return "user: " + parts.compactMap { part -> String? in if case .text(let text) = part { text } else { nil } }.joined()
            case .assistant(let text, let calls, _):
                let called = calls.map { "\($0.name)(\($0.id))" }
                return "assistant: " + ([text].filter { !$0.isEmpty } + called).joined(separator: " ")
            case .toolResult(let callId, let name, _, _):
                return "tool: \(name)(\(callId))"
            }
        }
        return "I was given: " + lines.joined(separator: " | ")
    }

    /// How the host's compaction prompt begins (`Compactor.defaultInstructions`).
    static let summaryRequestPrefix = "Summarize the conversation"

    /// A summary request's answer: the user's texts, joined.
    static func summary(_ messages: some Collection<ModelMessage>) -> String {
        let texts = messages.compactMap { message -> String? in
            guard case .user(let parts) = message else { return nil }
            return parts.compactMap { part -> String? in if case .text(let text) = part { text } else { nil } }.joined()
        }
        return "Summary: " + texts.joined(separator: "; ")
    }

    /// `photo.png (image/png, 12 KB)`: a file's name, type and size (or where it is, when its bytes are not at hand).
    static func describe(_ file: ModelFile) -> String {
        let size: String = switch file.source {
        case .bytes(let data): byteCount(data.count)
        case .url: "by URL"
        case .stored: "not read"
        }
        return "\(file.filename ?? "a file") (\(file.mediaType), \(size))"
    }

    /// `512 bytes`, `12 KB`, `3.4 MB`.
    static func byteCount(_ count: Int) -> String {
        if count < 1024 { return count == 1 ? "1 byte" : "\(count) bytes" }
        if count < 1024 * 1024 { return "\(Int((Double(count) / 1024).rounded())) KB" }
        return String(format: "%.1f MB", Double(count) / 1024 / 1024)
    }

    /// Drops the text a prefill already covers, keeping what comes after it.
    static func continuing(_ events: [ModelEvent], after prefix: String) -> [ModelEvent] {
        var remaining = Substring(prefix)
        var result: [ModelEvent] = []
        for event in events {
            guard case .textDelta(let delta) = event, !remaining.isEmpty else {
                result.append(event)
                continue
            }
            if remaining.hasPrefix(delta) {
                remaining = remaining.dropFirst(delta.count)
            } else if delta.hasPrefix(remaining) {
                result.append(.textDelta(String(delta.dropFirst(remaining.count))))
                remaining = ""
            } else {
                // The prefill is not ours: answer in full after it.
                return events
            }
        }
        return result
    }

    /// An echo of a client's text: word by word, but in at most `echoDeltas`
    /// deltas. One delta a word made a 500 KB message of short words a
    /// quarter of a million log records; a model's answer is not that long.
    static func echo(_ text: String) -> [ModelEvent] {
        let words = words(text)
        guard words.count > echoDeltas else { return words }
        let perDelta = (words.count + echoDeltas - 1) / echoDeltas
        return stride(from: 0, to: words.count, by: perDelta).map { start in
            let group = words[start..<min(start + perDelta, words.count)].compactMap { event -> String? in
                if case .textDelta(let delta) = event { return delta }
                return nil
            }
            return .textDelta(group.joined())
        }
    }

    /// The most deltas an echo streams.
    static let echoDeltas = 1024

    /// Splits into word-sized deltas that join back to exactly `text`.
    static func words(_ text: String) -> [ModelEvent] {
        var events: [ModelEvent] = []
        var current = ""
        for character in text {
            if character == " ", !current.isEmpty {
                events.append(.textDelta(current))
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { events.append(.textDelta(current)) }
        return events
    }
}
