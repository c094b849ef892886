import AgentKit
import Foundation

/// A test agent that reports every lifecycle hook it hears, for the hook tests:
/// each call is appended as one JSON line to the file `HOOKS_PROBE_JOURNAL`
/// names (daemon and worker processes alike), and the turn-time hooks and
/// `run` write what they were told into the response as data parts.
///
/// The client steers it with its data (`clientData` / input `metadata`):
/// `{"failIn":"<hook or run>"}` makes that hook throw; `{"plan":…}` must be a
/// string (anything else is an undecodable clientData).
struct ProbeData: Decodable, Sendable {
    var failIn: String?
    var plan: String?
    var locale: String?
}

struct ProbeFailure: Error, CustomStringConvertible {
    var place: String
    var description: String { "probe failure in \(place)" }
}

/// One journal line per call, `O_APPEND` so lines from several processes never interleave.
func journal(_ fields: [String: JSONValue]) {
    guard let path = ProcessInfo.processInfo.environment["HOOKS_PROBE_JOURNAL"] else { return }
    var fields = fields
    fields["pid"] = .number(Double(getpid()))
    let line = JSONValue.object(fields).jsonText + "\n"
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    guard fd >= 0 else { return }
    _ = line.withCString { write(fd, $0, strlen($0)) }
    close(fd)
}

/// Throws when the client asked this place to fail (a clientData that does not decode fails nowhere here).
func failIfAsked(_ place: String, _ data: JSONValue?) throws {
    if data?["failIn"]?.stringValue == place { throw ProbeFailure(place: place) }
}

func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
func usage(_ value: ModelUsage?) -> JSONValue {
    value.map { ["inputTokens": .number(Double($0.inputTokens)), "outputTokens": .number(Double($0.outputTokens))] } ?? .null
}

let hooksProbe = ChatAgent(
    id: "hooks-probe",
    onChatStart: { event in
        journal(["hook": "onChatStart", "chatId": .string(event.chatId), "messageId": optional(event.messageId)])
        try event.writeData("probe", ["hook": "onChatStart"])
        try failIfAsked("onChatStart", event.clientData)
    },
    onTurnStart: { event in
        journal([
            "hook": "onTurnStart", "chatId": .string(event.chatId), "turnNumber": .number(Double(event.turnNumber)),
            "reason": .string(event.reason.rawValue), "messageId": optional(event.messageId),
        ])
        try event.writeData("probe", ["hook": "onTurnStart", "turnNumber": .number(Double(event.turnNumber))])
        try failIfAsked("onTurnStart", event.clientData)
    },
    onBeforeTurnComplete: { event in
        journal(["hook": "onBeforeTurnComplete", "chatId": .string(event.chatId), "turnNumber": .number(Double(event.turnNumber))])
        try event.writeData("probe", [
            "hook": "onBeforeTurnComplete", "stopped": .bool(event.stopped),
            "finishReason": optional(event.finishReason?.rawValue),
        ])
        try failIfAsked("onBeforeTurnComplete", event.clientData)
    },
    onTurnComplete: { event in
        let text = event.responseMessage?.parts.compactMap { $0["text"]?.stringValue }.joined() ?? ""
        journal([
            "hook": "onTurnComplete", "chatId": .string(event.chatId), "turnNumber": .number(Double(event.turnNumber)),
            "reason": .string(event.reason.rawValue), "stopped": .bool(event.stopped), "error": optional(event.error),
            "finishReason": optional(event.finishReason?.rawValue), "text": .string(text),
            "responseId": optional(event.responseMessage?.id), "usage": usage(event.usage), "totalUsage": usage(event.totalUsage),
            "clientData": event.clientData ?? .null,
        ])
        try failIfAsked("onTurnComplete", event.clientData)
    },
    onChatClose: { event in
        journal(["hook": "onChatClose", "chatId": .string(event.chatId)])
        try failIfAsked("onChatClose", event.clientData)
    },
    onSuspend: { event in
        journal(["hook": "onSuspend", "chatId": .string(event.chatId)])
        try failIfAsked("onSuspend", event.clientData)
    },
    onResume: { event in
        journal(["hook": "onResume", "chatId": .string(event.chatId)])
    }
) { run in
    let context: JSONValue = [
        "reason": .string(run.reason.rawValue), "turnNumber": .number(Double(run.turnNumber)),
        "messageId": optional(run.messageId), "clientData": run.clientData ?? .null, "totalUsage": usage(run.totalUsage),
    ]
    journal(["hook": "run", "chatId": .string(run.chatId), "context": context])
    try run.writeData("run-context", context)
    _ = try run.clientData(as: ProbeData?.self)
    try failIfAsked("run", run.clientData)
    do {
        return try await streamText(messages: run.messages, signal: run.signal, stopWhen: .stepCount(3))
    } catch {
        // Which of the two signals fired, as the turn saw it.
        journal([
            "hook": "run-ended", "chatId": .string(run.chatId), "stopSignal": .bool(run.stopSignal.isAborted),
            "cancelSignal": .bool(run.cancelSignal.isAborted), "cancelReason": optional(run.signal.reason?.rawValue),
        ])
        throw error
    }
}

#agentPlugin(version: "1.0.0", agents: [hooksProbe, compactionProbe, compactionModelProbe])
