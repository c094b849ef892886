import AgentKit
import Foundation

/// `context-demo`: model-only context, deferred work and `prepareMessages`
/// (README, "Injected context, deferred work and prepareMessages"), offline
/// with the scripted model; `/history` shows what the model was given.
///
/// - `/tool note {"fact":"blue"}`: the `note` tool injects `<context>Noted fact:
///   blue</context>` while the turn runs; the model reads it at the next step
///   boundary (the scripted model then answers `You said: <context>…`).
/// - `/later TEXT`: after the answer, `run.inject` — no boundary is left, so the
///   next turn's model reads it, ahead of the next message.
/// - `/defer TEXT`: deferred work that returns `<context>Deferred: TEXT</context>`
///   once the turn is over; the next turn reads it.
/// - `/defer-wait PATH`: deferred work that waits (up to a minute) until the
///   file PATH exists; closing the session cancels it.
/// - Email addresses are replaced by `[email]` in what the model is sent
///   (`prepareMessages`); `/messages` keeps them.
///
/// Deferred work records `deferred-start`, `deferred-done` and
/// `deferred-cancelled` events in the demo's store (ChatStore).
let contextDemo = ChatAgent(
    id: "context-demo",
    tools: [note],
    prepareMessages: { messages in messages.map(ContextDemo.redactingEmails) }
) { run in
    let text = run.messages.last?.text ?? ""
    if text.hasPrefix("/defer-wait ") {
        let path = String(text.dropFirst("/defer-wait ".count)).trimmingCharacters(in: .whitespaces)
        try await run.defer(timeout: .seconds(60)) { try await ContextDemo.waitForFile(path, chatId: run.chatId) }
    } else if text.hasPrefix("/defer ") {
        let topic = String(text.dropFirst("/defer ".count))
        try await run.defer(timeout: .seconds(10)) {
            await ChatStore.shared.record(["event": "deferred-done", "chatId": .string(run.chatId)])
            return "<context>Deferred: \(topic)</context>"
        }
    }
    let result = try await streamText(messages: run.messages, signal: run.signal, stopWhen: .stepCount(4), tools: run.tools)
    if text.hasPrefix("/later ") {
        // After the last step: the next turn takes it.
        try await run.inject("<context>Later: \(text.dropFirst("/later ".count))</context>")
    }
    return result
}

struct NoteInput: Codable, Sendable {
    let fact: String
}

/// Injects a fact for the model while the turn runs: it reads it at the next step boundary.
let note = Tool(
    name: "note",
    description: "Notes a fact for yourself; you read it back right after this call.",
    inputSchema: [
        "type": "object",
        "properties": ["fact": ["type": "string"]],
        "required": ["fact"],
        "additionalProperties": false,
    ]
) { (input: NoteInput, context) in
    try await context.inject("<context>Noted fact: \(input.fact)</context>")
    return "noted"
}

enum ContextDemo {
    /// A message with every email address in its text replaced by `[email]`.
    static func redactingEmails(_ message: PromptMessage) -> PromptMessage {
        var message = message
        message.parts = message.parts.map { part in
            guard part.type == .text, let text = part.text else { return part }
            var redacted = part
            redacted.text = text.replacing(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/, with: "[email]")
            return redacted
        }
        return message
    }

    /// Waits until `path` exists; a cancellation (the session closed, the
    /// daemon stopping) is recorded and ends the work.
    static func waitForFile(_ path: String, chatId: String) async throws -> String {
        await ChatStore.shared.record(["event": "deferred-start", "chatId": .string(chatId)])
        do {
            while !FileManager.default.fileExists(atPath: path) {
                try await Task.sleep(for: .milliseconds(10))
            }
        } catch {
            await ChatStore.shared.record(["event": "deferred-cancelled", "chatId": .string(chatId)])
            throw error
        }
        await ChatStore.shared.record(["event": "deferred-done", "chatId": .string(chatId)])
        return "<context>Waited for \(path)</context>"
    }
}
