import AgentKit
import Synchronization

/// `meet`: two calls of one step that need each other, to show that the
/// calls of a step run at the same time. A call named `a` that waits for `b`
/// returns only once `b` has started — with calls run one after the other it
/// would wait forever (until its timeout). `finishAfter` makes a call also
/// wait for another one to finish, so calls end out of order while their
/// outputs still arrive in call order. Each output says which call and chat
/// it ran for (`ToolContext`).
struct MeetInput: Codable, Sendable {
    let name: String
    /// Another call's `name` this one waits to see started.
    let waitFor: String?
    /// Another call's `name` this one waits to see finished.
    let finishAfter: String?
}

/// Names of the `meet` calls that started and that finished, per chat.
let meetings = Mutex<(started: Set<String>, finished: Set<String>)>(([], []))

let meet = Tool(
    name: "meet",
    description: "Waits until the named partner call has started (and optionally finished); shows that calls run concurrently.",
    inputSchema: [
        "type": "object",
        "properties": [
            "name": ["type": "string"], "waitFor": ["type": "string"], "finishAfter": ["type": "string"],
        ],
        "required": ["name"],
        "additionalProperties": false,
    ],
    timeout: .seconds(20)
) { (input: MeetInput, context: ToolContext) in
    let key = { (name: String) in "\(context.chatId)/\(name)" }
    _ = meetings.withLock { $0.started.insert(key(input.name)) }
    if let partner = input.waitFor {
        while !meetings.withLock({ $0.started.contains(key(partner)) }) { try await Task.sleep(for: .milliseconds(5)) }
    }
    if let partner = input.finishAfter {
        while !meetings.withLock({ $0.finished.contains(key(partner)) }) { try await Task.sleep(for: .milliseconds(5)) }
    }
    _ = meetings.withLock { $0.finished.insert(key(input.name)) }
    var output: [String: JSONValue] = [
        "name": .string(input.name), "toolCallId": .string(context.toolCallId), "chatId": .string(context.chatId),
    ]
    if let partner = input.waitFor { output["met"] = .string(partner) }
    if let clientData = context.clientData { output["clientData"] = clientData }
    return JSONValue.object(output)
}
