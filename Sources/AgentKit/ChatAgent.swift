/// A chat agent: an id the daemon routes sessions to, the tools the model may
/// call, and `run`, called once per turn with the conversation so far.
///
/// ```swift
/// let myChat = ChatAgent(id: "my-chat") { run in
///     try await streamText(model: .default, messages: run.messages,
///                          signal: run.signal, stopWhen: .stepCount(15))
/// }
/// ```
public struct ChatAgent: Sendable {
    /// The name sessions are created for (`POST /api/v1/sessions {"agent": id}`);
    /// unique within a plugin, and stable across builds so sessions move to new ones.
    public let id: String
    /// The tools this agent declares in its manifest: what `run.tools` hands to
    /// `streamText`, and what the host may call through `call_tool`.
    public let tools: [Tool]
    /// What a running turn does when a new build goes live: move at the next
    /// step boundary (`.migrate`, the default) or finish here (`.drain`).
    public let upgrade: UpgradePolicy
    /// Converts state saved by an older build (`fromVersion`) to this build's
    /// shape: the `code_change/3` of agent-host. Without it, state crosses as is.
    public let migrate: (@Sendable (_ fromVersion: String, _ state: JSONValue) throws -> JSONValue)?
    /// The longest one turn may run before the host ends it with an error;
    /// nil leaves it to the daemon (`serve --max-turn-duration`, which also caps it).
    public let maxTurnDuration: Duration?
    let run: @Sendable (ChatRun) async throws -> StreamTextResult

    /// Declares an agent.
    ///
    /// - Parameters:
    ///   - id: The agent's id; must not be empty.
    ///   - tools: The tools the model may call in this agent's turns.
    ///   - upgrade: What a running turn does when a new build goes live.
    ///   - migrate: Converts agent state saved by an older build; `nil` passes it on unchanged.
    ///   - maxTurnDuration: The longest one turn may run; `nil` leaves it to the daemon,
    ///     which caps it (README, "Run limits").
    ///   - run: Called once per turn (again when a cut-off turn resumes); what it
    ///     returns, usually `streamText`'s result, ends the turn.
    public init(
        id: String,
        tools: [Tool] = [],
        upgrade: UpgradePolicy = .migrate,
        migrate: (@Sendable (_ fromVersion: String, _ state: JSONValue) throws -> JSONValue)? = nil,
        maxTurnDuration: Duration? = nil,
        run: @escaping @Sendable (ChatRun) async throws -> StreamTextResult
    ) {
        precondition(!id.isEmpty, "an agent needs an id")
        self.id = id
        self.tools = tools
        self.upgrade = upgrade
        self.migrate = migrate
        self.maxTurnDuration = maxTurnDuration
        self.run = run
    }

    var manifest: AgentManifest {
        AgentManifest(id: id, tools: tools.map(\.spec), upgrade: upgrade, maxTurnSeconds: maxTurnDuration?.totalSeconds)
    }
}

/// What `run` receives for one turn: the conversation, the stop signal, the
/// session's saved state, and the means to save state and write custom parts.
public struct ChatRun: Sendable {
    /// The session this turn belongs to; stable for the session's life, so it can
    /// key anything the agent keeps about a conversation outside the host.
    public let chatId: String
    /// The conversation, the newest user message last. Pass it to `streamText`
    /// as it is (nothing crosses the boundary), or `load()` it to read the past.
    public let messages: ChatMessages
    /// Fires when the user stops the turn or the host cancels it.
    public let signal: AbortSignal
    /// The agent's tools, ready to hand to `streamText`.
    public let tools: [Tool]
    /// This session's agent state as last saved (already migrated to this build), or nil.
    public let state: JSONValue?
    /// True when `run` is called again to continue a turn that was cut off (a
    /// crash, or the move to a new build at a step boundary). Code before
    /// `streamText` runs again then; skip side effects that must happen once.
    public let resumed: Bool
    let turnId: UInt64

    /// The saved state decoded as `T`, or nil when there is none.
    ///
    /// - Parameters:
    ///   - type: The shape this build saves (after `migrate`).
    /// - Throws: A `DecodingError` when the saved state does not fit `T`.
    public func state<T: Decodable>(as type: T.Type) throws -> T? {
        guard let state else { return nil }
        return try WireCoding.decode(T.self, from: WireCoding.encode(state))
    }

    /// Persists this session's agent state; the next turn (on any build) gets it
    /// back as `state`, migrated by a newer build's `migrate` when the version changed.
    ///
    /// - Parameters:
    ///   - value: The whole new state; it replaces what was saved, it is not merged.
    /// - Throws: `StreamTextError` when the host refuses the save, or `CancellationError`
    ///   when the turn was stopped.
    public func saveState<T: Encodable>(_ value: T) async throws {
        let state = try WireCoding.decode(JSONValue.self, from: WireCoding.encode(value))
        _ = try await PluginRuntime.host.callService(
            turnId: turnId, service: HostService.stateSave, request: WireCoding.encodeString(StateSaveRequest(state: state))
        )
    }

    /// Writes a custom `data-<name>` part into the response stream, for the client's
    /// `onData` or for rendering beside the answer (progress, sources, a build label).
    ///
    /// - Parameters:
    ///   - name: The part's name; the chunk type becomes `data-<name>`.
    ///   - data: The part's payload.
    ///   - id: A client (`useChat`) replaces an earlier part that has the same id,
    ///     so a part can be updated in place, e.g. a progress bar.
    ///   - transient: The part reaches the client's `onData` but is not added to
    ///     the message, so the stored history stays free of it.
    /// - Throws: `StreamTextError` when called outside this turn or the host refuses the part.
    public func writeData(_ name: String, _ data: JSONValue, id: String? = nil, transient: Bool = false) throws {
        try PluginRuntime.host.emit(turnId: turnId, chunk: UIChunk.data(name: name, data: data, transient: transient, id: id).json)
    }
}

/// Cancellation as the seed's `signal`: set when the host cancels the turn. Pass
/// it to `streamText`, and check it in long work of your own between steps.
public struct AbortSignal: Sendable {
    /// True once the user stopped the turn or the host cancelled it (the task that
    /// runs `run` was cancelled). Read it from that task or its child tasks.
    public var isAborted: Bool { Task.isCancelled }

    /// Throws `CancellationError` once the turn was stopped.
    public func throwIfAborted() throws {
        try Task.checkCancellation()
    }
}
