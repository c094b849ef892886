import Synchronization

/// `onAction`: an action the client sent (`{"kind":"action","action":{…}}`,
/// `transport.sendAction`). An action is not a turn: nothing answers it unless
/// the handler calls `startTurn()`; then a turn runs after it with
/// `run.reason == .action`. Edits made through `history` are durable: the
/// host commits them as one log record, so `/messages`, what the model sees
/// next, a replay and a restart all agree, and readers get `data-history-changed`.
///
/// ```swift
/// onAction: { event in
///     struct Undo: Decodable { let type: String }
///     guard try event.action(as: Undo.self).type == "undo" else { return }
///     guard let lastUser = event.messages.last(where: { $0.role == "user" }) else { return }
///     event.history.remove(from: lastUser.id)
/// }
/// ```
public struct ActionEvent: Sendable, HookClientData, HookContextInjecting {
    /// The session.
    public let chatId: String
    /// The session's creation clientData with the action's `metadata` merged over it.
    public let clientData: JSONValue?
    /// The action's payload, as the client sent it; `action(as:)` decodes it.
    public let action: JSONValue
    /// The conversation as it stands, oldest first (before this handler's edits).
    public let messages: [UIMessage]
    /// Durable edits of the conversation, applied after the handler returns.
    public let history: ChatHistory
    /// The host's id for this call: where `inject` goes (it writes no parts).
    public let writer: HookWriter

    /// The action's payload decoded as `T`. Let the error propagate: the
    /// action then ends with an `error` part that says what did not fit.
    ///
    /// - Parameters:
    ///   - type: The shape the client sends.
    /// - Throws: `ActionPayloadError` when the payload does not fit `T`.
    public func action<T: Decodable>(as type: T.Type) throws -> T {
        do {
            return try WireCoding.decode(T.self, from: WireCoding.encode(action))
        } catch let error as DecodingError {
            throw ActionPayloadError(type: "\(T.self)", reason: ToolInputError.describe(error))
        }
    }

    /// Answers the action with a turn (after the history edits): `run` runs
    /// with `reason` `.action`, the conversation as edited.
    public func startTurn() {
        history.recorder.withLock { $0.respond = true }
    }
}

/// The conversation as an action handler may change it. Edits apply in the
/// order they are made, once the handler returned without throwing; a handler
/// that throws changes nothing.
public final class ChatHistory: Sendable {
    /// The conversation the edits name messages of.
    let messages: [UIMessage]
    let recorder = Mutex(ActionOutcome())

    init(messages: [UIMessage]) {
        self.messages = messages
    }

    /// Keeps the messages up to and including `messageId`; drops every one after it.
    ///
    /// - Parameters:
    ///   - messageId: The last message to keep.
    public func rollback(to messageId: String) {
        add(.rollback(to: messageId))
    }

    /// Drops one message; those after it stay.
    ///
    /// - Parameters:
    ///   - messageId: The message to drop.
    public func remove(_ messageId: String) {
        add(.remove(messageId))
    }

    /// Drops `messageId` and every message after it: an undo of the exchange
    /// it begins. Nothing changes when the conversation does not hold it.
    ///
    /// - Parameters:
    ///   - messageId: The first message to drop.
    public func remove(from messageId: String) {
        guard let index = messages.firstIndex(where: { $0.id == messageId }) else { return }
        if index == 0 {
            for message in messages.reversed() { add(.remove(message.id)) }
        } else {
            add(.rollback(to: messages[index - 1].id))
        }
    }

    /// Replaces the message with `message.id` by `message` (e.g. a redacted text).
    ///
    /// - Parameters:
    ///   - message: The new message; its id names the one it replaces.
    public func replace(_ message: UIMessage) {
        add(.replace(message))
    }

    /// The edits made so far, in order.
    public var edits: [HistoryEdit] { recorder.withLock { $0.history ?? [] } }

    private func add(_ edit: HistoryEdit) {
        recorder.withLock { $0.history = ($0.history ?? []) + [edit] }
    }
}

/// The action's payload does not fit the type the agent reads it as.
public struct ActionPayloadError: Error, CustomStringConvertible {
    /// The type the agent asked for.
    public let type: String
    /// What is missing or wrong.
    public let reason: String

    /// The text the user sees.
    public var description: String { "the action does not fit `\(type)`: \(reason)" }
}
