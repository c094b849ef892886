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
    public let id: String
    public let tools: [Tool]
    /// What a running turn does when a new build goes live: move at the next
    /// step boundary (`.migrate`, the default) or finish here (`.drain`).
    public let upgrade: UpgradePolicy
    /// Converts state saved by an older build (`fromVersion`) to this build's
    /// shape: the `code_change/3` of agent-host. Without it, state crosses as is.
    public let migrate: (@Sendable (_ fromVersion: String, _ state: JSONValue) throws -> JSONValue)?
    let run: @Sendable (ChatRun) async throws -> StreamTextResult

    public init(
        id: String,
        tools: [Tool] = [],
        upgrade: UpgradePolicy = .migrate,
        migrate: (@Sendable (_ fromVersion: String, _ state: JSONValue) throws -> JSONValue)? = nil,
        run: @escaping @Sendable (ChatRun) async throws -> StreamTextResult
    ) {
        precondition(!id.isEmpty, "an agent needs an id")
        self.id = id
        self.tools = tools
        self.upgrade = upgrade
        self.migrate = migrate
        self.run = run
    }

    var manifest: AgentManifest {
        AgentManifest(id: id, tools: tools.map(\.spec), upgrade: upgrade)
    }
}

/// What `run` receives for one turn.
public struct ChatRun: Sendable {
    public let chatId: String
    /// The whole conversation, the newest user message last.
    public let messages: [UIMessage]
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
    public func state<T: Decodable>(as type: T.Type) throws -> T? {
        guard let state else { return nil }
        return try WireCoding.decode(T.self, from: WireCoding.encode(state))
    }

    /// Persists this session's agent state; the next turn (on any build) gets it back.
    public func saveState<T: Encodable>(_ value: T) async throws {
        let state = try WireCoding.decode(JSONValue.self, from: WireCoding.encode(value))
        _ = try await PluginRuntime.host.callService(
            turnId: turnId, service: HostService.stateSave, request: WireCoding.encodeString(StateSaveRequest(state: state))
        )
    }

    /// Write a custom `data-<name>` part into the response stream.
    public func writeData(_ name: String, _ data: JSONValue, id: String? = nil, transient: Bool = false) throws {
        try PluginRuntime.host.emit(turnId: turnId, chunk: UIChunk.data(name: name, data: data, transient: transient, id: id).json)
    }
}

/// Cancellation as the seed's `signal`: set when the host cancels the turn.
public struct AbortSignal: Sendable {
    public var isAborted: Bool { Task.isCancelled }

    /// Throws `CancellationError` once the turn was stopped.
    public func throwIfAborted() throws {
        try Task.checkCancellation()
    }
}
