import AgentKit
import Foundation

/// Test agents for compaction's plugin side, each call journalled (`journal`):
///
/// - `compaction-probe`: a custom predicate (the threshold, 1,000 input
///   tokens, asked in the plugin) and summariser (`NOTES: <user texts>`; it
///   throws when a user text contains `fail-summary`); `prepareMessages` sets
///   cache breakpoints (the first message's first part, and the last message);
///   `{"injectFrom": "<hook>"}` in the clientData makes that hook inject
///   `<context>from <hook></context>` (`onTurnStart`, `onTurnComplete`,
///   `onAction`); the action `{"rollbackTo": id}` rolls the history back.
/// - `compaction-model-probe`: the default predicate (1,000) and summariser
///   (the model), with a journalling `prepareMessages` that marks the last message.
struct CompactionProbeData: Decodable, Sendable {
    var injectFrom: String?
}

struct LookupInput: Codable, Sendable {
    let topic: String
}

struct SummaryRefused: Error, CustomStringConvertible {
    var description: String { "the probe refuses to summarise" }
}

let lookup = Tool(
    name: "lookup",
    description: "Looks a topic up.",
    inputSchema: ["type": "object", "properties": ["topic": ["type": "string"]], "required": ["topic"]]
) { (input: LookupInput, _) in
    "facts about \(input.topic)"
}

/// Injects when the client asked this hook to.
func injectIfAsked(_ hook: String, _ clientData: JSONValue?, _ inject: (String) async throws -> Int64) async throws {
    guard clientData?["injectFrom"]?.stringValue == hook else { return }
    try await inject("<context>from \(hook)</context>")
}

/// The user texts of a prompt, in order.
func userTexts(_ messages: some Collection<PromptMessage>) -> [String] {
    messages.filter { $0.role == .user }.map(\.text)
}

/// Journals a `prepareMessages` call and marks cache breakpoints.
func journalledPrepare(_ agent: String, _ messages: PrepareMessagesEvent, markFirst: Bool) -> [PromptMessage] {
    journal(["hook": "prepareMessages", "agent": .string(agent), "reason": .string(messages.reason.rawValue),
             "count": .number(Double(messages.count))])
    var prepared = Array(messages)
    if markFirst, prepared.count > 1, !prepared[0].parts.isEmpty { prepared[0].parts[0].cacheControl = .ephemeral }
    if !prepared.isEmpty { prepared[prepared.count - 1].cacheControl = .ephemeral }
    return prepared
}

let compactionProbe = ChatAgent(
    id: "compaction-probe",
    tools: [lookup],
    onTurnStart: { event in
        try await injectIfAsked("onTurnStart", event.clientData, event.inject)
    },
    onTurnComplete: { event in
        try await injectIfAsked("onTurnComplete", event.clientData, event.inject)
    },
    compaction: CompactionPolicy(
        maxInputTokens: 1_000,
        shouldCompact: { check in
            journal([
                "hook": "shouldCompact", "chatId": .string(check.chatId), "source": .string(check.source.rawValue),
                "inputTokens": .number(Double(check.inputTokens)), "totalTokens": .number(Double(check.totalTokens)),
                "messageCount": .number(Double(check.messageCount)),
            ])
            return check.inputTokens > check.maxInputTokens
        },
        summarize: { messages in
            let texts = userTexts(messages)
            journal(["hook": "summarize", "texts": .array(texts.map(JSONValue.string))])
            if texts.contains(where: { $0.contains("fail-summary") }) { throw SummaryRefused() }
            return "NOTES: " + texts.joined(separator: "; ")
        }
    ),
    onAction: { event in
        try await injectIfAsked("onAction", event.clientData, event.inject)
        if let id = event.action["rollbackTo"]?.stringValue { event.history.rollback(to: id) }
    },
    prepareMessages: { messages in journalledPrepare("compaction-probe", messages, markFirst: true) }
) { run in
    try await streamText(messages: run.messages, signal: run.signal, stopWhen: .stepCount(4), tools: run.tools)
}

let compactionModelProbe = ChatAgent(
    id: "compaction-model-probe",
    tools: [lookup],
    compaction: CompactionPolicy(maxInputTokens: 1_000),
    prepareMessages: { messages in journalledPrepare("compaction-model-probe", messages, markFirst: false) }
) { run in
    try await streamText(messages: run.messages, signal: run.signal, stopWhen: .stepCount(4), tools: run.tools)
}
