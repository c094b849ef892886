/// A chat agent: an id the daemon routes sessions to, the tools the model may
/// call, `run`, called once per turn with the conversation so far, and the
/// lifecycle hooks around it.
///
/// ```swift
/// let myChat = ChatAgent(
///     id: "my-chat",
///     onChatStart: { event in try await db.createChat(event.chatId) },
///     onTurnComplete: { event in try await db.save(event.responseMessage, chat: event.chatId) }
/// ) { run in
///     try await streamText(model: .default, messages: run.messages,
///                          signal: run.signal, stopWhen: .stepCount(15))
/// }
/// ```
///
/// Hooks fire in this order, each where the session log says (README, "Lifecycle
/// hooks"): `onChatStart` (once per chat) → `onTurnStart` → `run` →
/// `onBeforeTurnComplete` → `onTurnComplete`; `onChatClose`, `onSuspend` and
/// `onResume` outside turns. A hook that throws in a turn ends the turn with one
/// `error` part; one outside a turn is logged.
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
    /// What a message sent while a turn runs does: `.queue` (the default) waits
    /// for its own turn, `.steer` is injected into the running turn at its next
    /// step boundary; `.latest`, `.merge`, `.drop`, `.debounce` as Cloudflare's.
    public let messageConcurrency: MessageConcurrency
    /// When the host compacts the conversation the model sees (a summary replaces
    /// the older messages for the model; `/messages` keeps them); nil: never.
    public let compaction: CompactionPolicy?
    let run: @Sendable (ChatRun) async throws -> StreamTextResult
    let hooks: Hooks

    /// The hook closures; nil ones are left out of the manifest, so the host never calls them.
    struct Hooks: Sendable {
        var onChatStart: (@Sendable (ChatStartEvent) async throws -> Void)?
        var onTurnStart: (@Sendable (TurnStartEvent) async throws -> Void)?
        var onBeforeTurnComplete: (@Sendable (TurnCompleteEvent) async throws -> Void)?
        var onTurnComplete: (@Sendable (TurnCompleteEvent) async throws -> Void)?
        var onChatClose: (@Sendable (ChatEvent) async throws -> Void)?
        var onSuspend: (@Sendable (ChatEvent) async throws -> Void)?
        var onResume: (@Sendable (ChatEvent) async throws -> Void)?
        var onAction: (@Sendable (ActionEvent) async throws -> Void)?
        /// Not a lifecycle moment: the model context before every model request.
        var prepareMessages: (@Sendable (PrepareMessagesEvent) async throws -> [PromptMessage])?
        /// Not lifecycle moments: the compaction policy's predicate and summariser.
        var shouldCompact: (@Sendable (CompactionCheck) async -> Bool)?
        var summarize: (@Sendable ([PromptMessage]) async throws -> String)?

        /// The wire names of the hooks set, and `cancelTurn`, which AgentKit always
        /// takes (it tells `run.stopSignal` from `run.cancelSignal`).
        var names: [String] {
            let set: [(LifecycleHook, Bool)] = [
                (.onChatStart, onChatStart != nil), (.onTurnStart, onTurnStart != nil),
                (.onBeforeTurnComplete, onBeforeTurnComplete != nil), (.onTurnComplete, onTurnComplete != nil),
                (.onChatClose, onChatClose != nil), (.onSuspend, onSuspend != nil), (.onResume, onResume != nil),
                (.onAction, onAction != nil), (.prepareMessages, prepareMessages != nil),
                (.shouldCompact, shouldCompact != nil), (.summarize, summarize != nil), (.cancelTurn, true),
            ]
            return set.filter { $0.1 }.map { $0.0.rawValue }
        }
    }

    /// Declares an agent.
    ///
    /// - Parameters:
    ///   - id: The agent's id; must not be empty.
    ///   - tools: The tools the model may call in this agent's turns.
    ///   - upgrade: What a running turn does when a new build goes live.
    ///   - migrate: Converts agent state saved by an older build; `nil` passes it on unchanged.
    ///   - maxTurnDuration: The longest one turn may run; `nil` leaves it to the daemon,
    ///     which caps it (README, "Run limits").
    ///   - onChatStart: Once per chat, on its first turn, before `onTurnStart`: set
    ///     the chat up (a database row, a sandbox). Recorded in the session log
    ///     first, so a crash, an eviction or a new build never calls it twice.
    ///   - onTurnStart: Every turn, before `run` (not again when a cut-off turn
    ///     resumes): persist the user's message before the answer streams.
    ///   - onBeforeTurnComplete: After `run`, before the response's `finish`:
    ///     `event.writeData` still adds `data-*` parts to the answer.
    ///   - onTurnComplete: After the response ended (finished, stopped or
    ///     failed), before `data-turn-complete`: persist the answer and usage.
    ///   - onChatClose: The session was closed.
    ///   - onSuspend: The idle session left the daemon's memory.
    ///   - onResume: The session was rebuilt from storage, before its next turn.
    ///   - messageConcurrency: What a message sent while a turn runs does
    ///     (README, "Steering and compaction"); a client may ask otherwise per message.
    ///   - compaction: When the host summarises the older conversation for the model; nil: never.
    ///     Its `shouldCompact` and `summarize` closures run here, in the plugin.
    ///   - onAction: An action the client sent (`transport.sendAction`): read it
    ///     with `event.action(as:)`, change the conversation durably through
    ///     `event.history`, and call `event.startTurn()` to answer it with a turn
    ///     (`reason` `.action`). Without it, an action changes nothing and nothing
    ///     answers it. A throw ends the action with one `error` part.
    ///   - prepareMessages: Called before every model request of a turn with the
    ///     model context (after compaction, steering and injected context) and
    ///     why the request is made (`event.reason`); what it returns is what the
    ///     model is sent — messages may carry cache breakpoints (`cacheControl`).
    ///     `/messages` and later requests still start from the originals. A throw
    ///     ends the turn with its error.
    ///   - run: Called once per turn (again when a cut-off turn resumes); what it
    ///     returns, usually `streamText`'s result, ends the turn.
    public init(
        id: String,
        tools: [Tool] = [],
        upgrade: UpgradePolicy = .migrate,
        migrate: (@Sendable (_ fromVersion: String, _ state: JSONValue) throws -> JSONValue)? = nil,
        maxTurnDuration: Duration? = nil,
        onChatStart: (@Sendable (ChatStartEvent) async throws -> Void)? = nil,
        onTurnStart: (@Sendable (TurnStartEvent) async throws -> Void)? = nil,
        onBeforeTurnComplete: (@Sendable (TurnCompleteEvent) async throws -> Void)? = nil,
        onTurnComplete: (@Sendable (TurnCompleteEvent) async throws -> Void)? = nil,
        onChatClose: (@Sendable (ChatEvent) async throws -> Void)? = nil,
        onSuspend: (@Sendable (ChatEvent) async throws -> Void)? = nil,
        onResume: (@Sendable (ChatEvent) async throws -> Void)? = nil,
        messageConcurrency: MessageConcurrency = .queue,
        compaction: CompactionPolicy? = nil,
        onAction: (@Sendable (ActionEvent) async throws -> Void)? = nil,
        prepareMessages: (@Sendable (PrepareMessagesEvent) async throws -> [PromptMessage])? = nil,
        run: @escaping @Sendable (ChatRun) async throws -> StreamTextResult
    ) {
        precondition(!id.isEmpty, "an agent needs an id")
        self.id = id
        self.tools = tools
        self.upgrade = upgrade
        self.migrate = migrate
        self.maxTurnDuration = maxTurnDuration
        self.messageConcurrency = messageConcurrency
        self.compaction = compaction
        self.run = run
        self.hooks = Hooks(
            onChatStart: onChatStart, onTurnStart: onTurnStart, onBeforeTurnComplete: onBeforeTurnComplete,
            onTurnComplete: onTurnComplete, onChatClose: onChatClose, onSuspend: onSuspend, onResume: onResume,
            onAction: onAction, prepareMessages: prepareMessages,
            shouldCompact: compaction?.shouldCompact, summarize: compaction?.summarize
        )
    }

    var manifest: AgentManifest {
        AgentManifest(
            id: id, tools: tools.map(\.spec), upgrade: upgrade, maxTurnSeconds: maxTurnDuration?.totalSeconds,
            hooks: hooks.names,
            messageConcurrency: messageConcurrency == .queue ? nil : messageConcurrency, compaction: compaction
        )
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
    /// Fires when the user stops the turn or the host cancels it: the one to
    /// pass to `streamText`.
    public let signal: AbortSignal
    /// Fires only when the user stopped the turn (`{"kind":"stop"}`); the
    /// answer so far stays, `onTurnComplete` sees `stopped`.
    public let stopSignal: AbortSignal
    /// Fires only when the host cancelled the turn: the session was closed, the
    /// turn ran past its time limit, or it moves to a new build (then `run` is
    /// called again there, with `reason` `.upgraded`).
    public let cancelSignal: AbortSignal
    /// Why `run` runs: a new (or edited) message, a regenerate, an action, a
    /// turn resumed after a crash, or one moved to a new build.
    public let reason: TurnReason
    /// The chat's turn count, 1 for its first turn.
    public let turnNumber: Int
    /// The id of the user message this turn answers.
    public let messageId: String?
    /// Tokens the chat used before this turn; nil while no model reported any.
    public let totalUsage: ModelUsage?
    /// The client's data: the session's creation `clientData` with this input's
    /// `metadata` merged over it (top-level keys). Read it typed with `clientData(as:)`.
    public let clientData: JSONValue?
    /// The agent's tools, ready to hand to `streamText`.
    public let tools: [Tool]
    /// This session's agent state as last saved (already migrated to this build), or nil.
    public let state: JSONValue?
    /// True when `run` is called again to continue a turn that was cut off (a
    /// crash, or the move to a new build at a step boundary). Code before
    /// `streamText` runs again then; skip side effects that must happen once.
    public let resumed: Bool
    let turnId: UInt64

    /// The client's data decoded as `T`. Let the error propagate: the turn then
    /// ends with an `error` part that says what did not fit.
    ///
    /// ```swift
    /// struct Plan: Decodable { let plan: String; let locale: String? }
    /// let plan = try run.clientData(as: Plan.self)
    /// ```
    ///
    /// - Parameters:
    ///   - type: The shape the client sends; `Optional` when it may send none.
    /// - Throws: `ClientDataError` when the data is missing or does not fit `T`.
    public func clientData<T: Decodable>(as type: T.Type) throws -> T {
        try ClientDataError.decode(T.self, from: clientData)
    }

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

/// Cancellation as the seed's `signal`, `stopSignal` and `cancelSignal`: set
/// when the turn is stopped or cancelled. Pass `run.signal` to `streamText`,
/// and check one in long work of your own between steps.
public struct AbortSignal: Sendable {
    /// Which cancellations this signal reports.
    enum Kind: Sendable {
        /// Any: the task that runs `run` was cancelled.
        case any
        /// The user's stop only.
        case stop
        /// The host's cancellations only.
        case cancel
    }

    let kind: Kind
    let cancellation: TurnCancellation?

    init(_ kind: Kind = .any, cancellation: TurnCancellation? = nil) {
        self.kind = kind
        self.cancellation = cancellation
    }

    /// Why the turn was cancelled, once it was: `.stop` for the user's stop, else
    /// the host's reason. Nil while it runs (and from a host older than ABI 1.1,
    /// which does not say; `isAborted` still works there).
    public var reason: CancelReason? { cancellation?.reason }

    /// True once this signal fired. `run.signal` reads the cancellation of the
    /// task that runs `run` (read it from that task or its child tasks); the
    /// other two read the reason the host gave, from any task. Without a reason
    /// (a host older than ABI 1.1), a cancellation counts as the user's stop.
    public var isAborted: Bool {
        switch kind {
        case .any: Task.isCancelled || reason != nil
        case .stop: reason?.isUserStop ?? (cancellation?.isCancelled ?? false)
        case .cancel: reason.map { !$0.isUserStop } ?? false
        }
    }

    /// Throws `CancellationError` once this signal fired.
    public func throwIfAborted() throws {
        if kind == .any { try Task.checkCancellation() }
        if isAborted { throw CancellationError() }
    }
}
