/// What a tool's `execute` knows about the call it runs: which call, in which
/// chat, whether the user stopped it, the session's state and client data, and
/// a writer for progress the client sees while the tool works.
///
/// ```swift
/// let search = Tool(name: "search", description: "…", inputSchema: schema) { (input: Query, context) in
///     for (done, page) in pages.enumerated() {
///         try context.signal.throwIfAborted()          // the user pressed stop
///         try context.writePreliminary(["pagesRead": done])  // shown until the result replaces it
///         try await read(page)
///     }
///     return results
/// }
/// ```
public struct ToolContext: Sendable {
    /// The model's id of this call: what the call's `tool-output-available`
    /// chunks and the stored tool part name. It is the call's idempotency key:
    /// a `retryable` tool cut off by a crash runs again with the same id, so an
    /// effect keyed by it (a payment's idempotency key, a row's id) happens once.
    public let toolCallId: String
    /// The session the call belongs to.
    public let chatId: String
    /// Fires when the user stops the turn, or the turn moves to a new build: the
    /// task that runs `execute` is cancelled. Check it (or `Task.isCancelled`,
    /// `try Task.checkCancellation()`) in long work; a cancelled call's result is
    /// not used.
    public let signal: AbortSignal
    /// The session's agent state as last saved, or nil.
    public let state: JSONValue?
    /// The client's data for this turn (the session's `clientData`, the input's
    /// `metadata` merged over it), or nil when there is none.
    public let clientData: JSONValue?
    let turnId: UInt64

    /// - Parameters:
    ///   - toolCallId: The model's id of the call.
    ///   - chatId: The session's id.
    ///   - state: The session's saved agent state.
    ///   - clientData: The client's data for the turn.
    ///   - turnId: The host's turn, which the writers write into.
    init(toolCallId: String, chatId: String, state: JSONValue?, clientData: JSONValue?, turnId: UInt64) {
        self.toolCallId = toolCallId
        self.chatId = chatId
        self.signal = AbortSignal()
        self.state = state
        self.clientData = clientData
        self.turnId = turnId
    }

    /// The client's data decoded as `T`, or nil when there is none.
    ///
    /// - Parameters:
    ///   - type: The shape the client sends (e.g. `struct Plan: Decodable { let tier: String }`).
    /// - Throws: A `DecodingError` when the data does not fit `T`.
    public func clientData<T: Decodable>(as type: T.Type) throws -> T? {
        guard let clientData else { return nil }
        return try WireCoding.decode(T.self, from: WireCoding.encode(clientData))
    }

    /// The saved agent state decoded as `T`, or nil when there is none.
    ///
    /// - Parameters:
    ///   - type: The shape the agent saves.
    /// - Throws: A `DecodingError` when the state does not fit `T`.
    public func state<T: Decodable>(as type: T.Type) throws -> T? {
        guard let state else { return nil }
        return try WireCoding.decode(T.self, from: WireCoding.encode(state))
    }

    /// Streams a preliminary output of this call (`tool-output-available` with
    /// `preliminary: true`): the client shows it in place of the output until
    /// the next preliminary one or the final output replaces it. The model only
    /// ever sees the final output.
    ///
    /// - Parameters:
    ///   - output: The progress so far, in the shape the UI renders.
    /// - Throws: `StreamTextError` when the host refuses it (the call already
    ///   ended, or the turn is over).
    public func writePreliminary<Output: Encodable>(_ output: Output) throws {
        try writePreliminary(WireCoding.decode(JSONValue.self, from: WireCoding.encode(output)))
    }

    /// Streams a preliminary output given as JSON, e.g. `["read": 2, "total": 5]`.
    ///
    /// - Parameters:
    ///   - output: The progress so far, in the shape the UI renders.
    /// - Throws: `StreamTextError` when the host refuses it.
    public func writePreliminary(_ output: JSONValue) throws {
        try PluginRuntime.host.emit(turnId: turnId, chunk: UIChunk.toolOutputPreliminary(toolCallId: toolCallId, output: output).json)
    }

    /// Writes a custom `data-<name>` part into the response stream, as
    /// `ChatRun.writeData` does from `run`.
    ///
    /// - Parameters:
    ///   - name: The part's name; the chunk type becomes `data-<name>`.
    ///   - data: The part's payload.
    ///   - id: A later part with the same id replaces this one in the client.
    ///   - transient: The part reaches the client's `onData` but is not stored in the message.
    /// - Throws: `StreamTextError` when the host refuses the part.
    public func writeData(_ name: String, _ data: JSONValue, id: String? = nil, transient: Bool = false) throws {
        try PluginRuntime.host.emit(turnId: turnId, chunk: UIChunk.data(name: name, data: data, transient: transient, id: id).json)
    }
}
