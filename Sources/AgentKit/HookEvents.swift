/// What the lifecycle hooks of a `ChatAgent` receive. Each event carries the
/// chat, the client's data (`clientData(as:)` decodes it) and what its moment
/// knows; the hooks that run while the response is open can write into it.

/// `onChatStart`: once per chat, on its first turn.
public struct ChatStartEvent: Sendable, HookClientData, HookResponseWriting, HookContextInjecting {
    /// The session.
    public let chatId: String
    /// The session's creation clientData with the first input's `metadata` merged over it.
    public let clientData: JSONValue?
    /// The id of the first user message.
    public let messageId: String?
    /// Where `writeData` writes.
    public let writer: HookWriter

}

/// `onTurnStart`: every turn, before `run`.
public struct TurnStartEvent: Sendable, HookClientData, HookResponseWriting, HookContextInjecting {
    /// The session.
    public let chatId: String
    /// The client's data for this turn.
    public let clientData: JSONValue?
    /// Why the turn runs.
    public let reason: TurnReason
    /// The chat's turn count, 1 for its first turn.
    public let turnNumber: Int
    /// The id of the user message the turn answers.
    public let messageId: String?
    /// Tokens the chat used before this turn.
    public let totalUsage: ModelUsage?
    /// Where `writeData` writes.
    public let writer: HookWriter

}

/// `onBeforeTurnComplete` and `onTurnComplete`: how the turn ended.
/// In `onBeforeTurnComplete`, `writeData` still adds parts to the response; in
/// `onTurnComplete` the response is over and it throws.
public struct TurnCompleteEvent: Sendable, HookClientData, HookResponseWriting, HookContextInjecting {
    /// The session.
    public let chatId: String
    /// The client's data for this turn.
    public let clientData: JSONValue?
    /// Why the turn ran.
    public let reason: TurnReason
    /// The chat's turn count, 1 for its first turn.
    public let turnNumber: Int
    /// The id of the user message the turn answered.
    public let messageId: String?
    /// The answer as the history holds it (in `onBeforeTurnComplete`, so far).
    public let responseMessage: UIMessage?
    /// Why the answer ended: the model's reason, `.error` for a failed turn; nil for a stopped one.
    public let finishReason: FinishReason?
    /// True when the turn was stopped (by the user, or cancelled by the host).
    public let stopped: Bool
    /// The error the turn ended with, if it failed.
    public let error: String?
    /// Tokens this turn used, when the model reported them.
    public let usage: ModelUsage?
    /// Tokens the chat used, this turn's included.
    public let totalUsage: ModelUsage?
    /// Where `writeData` writes.
    public let writer: HookWriter

}

/// `onChatClose`, `onSuspend`, `onResume`: the session, outside any turn.
public struct ChatEvent: Sendable, HookClientData {
    /// The session.
    public let chatId: String
    /// The clientData the session was created with.
    public let clientData: JSONValue?
}

/// An event that carries the client's data.
public protocol HookClientData {
    /// The client's data as JSON.
    var clientData: JSONValue? { get }
}

extension HookClientData {
    /// The client's data decoded as `T`; as `ChatRun.clientData(as:)`.
    ///
    /// - Parameters:
    ///   - type: The shape the client sends; `Optional` when it may send none.
    /// - Throws: `ClientDataError` when the data is missing or does not fit `T`.
    public func clientData<T: Decodable>(as type: T.Type) throws -> T {
        try ClientDataError.decode(T.self, from: clientData)
    }
}

/// The client's data does not fit the type the agent reads it as. Thrown out of
/// `run` (or a turn's hook), it ends the turn with an `error` part saying so.
public struct ClientDataError: Error, CustomStringConvertible {
    /// The type the agent asked for.
    public let type: String
    /// What is missing or wrong, e.g. "missing `plan`".
    public let reason: String

    /// The text the user sees.
    public var description: String { "clientData does not fit `\(type)`: \(reason)" }

    static func decode<T: Decodable>(_: T.Type, from value: JSONValue?) throws -> T {
        do {
            return try WireCoding.decode(T.self, from: WireCoding.encode(value ?? .null))
        } catch let error as DecodingError {
            let reason = value == nil ? "the client sent none" : ToolInputError.describe(error)
            throw ClientDataError(type: "\(T.self)", reason: reason)
        }
    }
}

/// Where a hook's data parts go: the turn id the host gave the hook call.
/// A hook without one (0: outside any session), or one whose moment has no
/// open response (`onTurnComplete`, `onAction`: their id serves `inject`
/// only), cannot write.
public struct HookWriter: Sendable {
    let turnId: UInt64
    /// Whether data parts may go to the response.
    var writes = true

    func write(_ name: String, _ data: JSONValue, id: String?, transient: Bool) throws {
        guard turnId != 0, writes else { throw StreamTextError.notInTurn }
        try PluginRuntime.host.emit(turnId: turnId, chunk: UIChunk.data(name: name, data: data, transient: transient, id: id).json)
    }
}

/// A hook event that may write into the turn's response while the hook runs.
public protocol HookResponseWriting {
    /// Where the parts go.
    var writer: HookWriter { get }
}

extension HookResponseWriting {
    /// Writes a `data-<name>` part into the turn's response (as `ChatRun.writeData`),
    /// while the hook runs: before the answer in `onChatStart`/`onTurnStart`, after
    /// it and before `finish` in `onBeforeTurnComplete`.
    ///
    /// - Parameters:
    ///   - name: The part's name; the chunk type becomes `data-<name>`.
    ///   - data: Its payload.
    ///   - id: Replaces an earlier part with the same id on the client.
    ///   - transient: Reaches `onData` but is not stored in the message.
    /// - Throws: `StreamTextError` where the event cannot write (`onTurnComplete`),
    ///   after the hook returned, or when the host refuses the part.
    public func writeData(_ name: String, _ data: JSONValue, id: String? = nil, transient: Bool = false) throws {
        try writer.write(name, data, id: id, transient: transient)
    }
}
