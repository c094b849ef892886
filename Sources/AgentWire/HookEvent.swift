/// The JSON of `call_hook` (agent_plugin.h, ABI 1.1): one lifecycle event of
/// an agent, host → plugin. One flat shape for every event, so a C plugin
/// reads the members it needs and ignores the rest.
public struct HookEvent: Codable, Sendable, Hashable {
    /// Which event this is.
    public var hook: LifecycleHook
    /// The agent whose event it is (`AgentManifest.id`).
    public var agent: String
    /// The session it belongs to.
    public var chatId: String
    /// The session's creation clientData with the turn's input `metadata` merged over it.
    public var clientData: JSONValue?
    /// Why the turn runs (turn events only).
    public var reason: TurnReason?
    /// The chat's turn count, 1 for its first turn (turn events only).
    public var turnNumber: Int?
    /// The id of the user message the turn answers (turn events only).
    public var messageId: String?
    /// The answer as it stands (`onBeforeTurnComplete`, `onTurnComplete`).
    public var responseMessage: UIMessage?
    /// Why the answer ended; `error` for a failed turn, absent for a stopped one.
    public var finishReason: FinishReason?
    /// True when the turn was stopped (by the user or the host).
    public var stopped: Bool?
    /// The error text the turn ended with, if it failed.
    public var error: String?
    /// Tokens this turn used, when the model reported them.
    public var usage: ModelUsage?
    /// Tokens the chat used: before the turn in turn-start events, through it in turn-complete ones.
    public var totalUsage: ModelUsage?
    /// Why the host cancels the turn (`cancelTurn` only).
    public var cancelReason: CancelReason?
    /// The action input's payload, as the client sent it (`onAction` only).
    public var action: JSONValue?
    /// The conversation as it stands, oldest first (`onAction` only): what its
    /// history edits name messages of.
    public var messages: [UIMessage]?
    /// The model context the next model request sends (`prepareMessages`), or
    /// the context to summarise (`summarize`).
    public var prompt: [PromptMessage]?
    /// Which request `prompt` is for (`prepareMessages` only).
    public var promptReason: PromptReason?
    /// What the predicate decides on (`shouldCompact` only).
    public var compactionCheck: CompactionCheck?
    /// The plugin's id of the deferred work to run (`runDeferred` only).
    public var deferralId: String?

    /// An event with only its name and owner set; the caller fills in the rest.
    ///
    /// - Parameters:
    ///   - hook: The event.
    ///   - agent: The agent's id.
    ///   - chatId: The session's id.
    public init(hook: LifecycleHook, agent: String, chatId: String) {
        self.hook = hook
        self.agent = agent
        self.chatId = chatId
    }
}

extension HookEvent {
    /// The `cancelTurn` event that precedes a `cancel_turn`: only the reason
    /// counts (the plugin knows the turn by its id).
    ///
    /// - Parameters:
    ///   - reason: Why the turn is cancelled.
    public static func cancel(_ reason: CancelReason) -> HookEvent {
        var event = HookEvent(hook: .cancelTurn, agent: "", chatId: "")
        event.cancelReason = reason
        return event
    }
}

/// The lifecycle events a host sends through `call_hook`, by their wire names.
public enum LifecycleHook: String, Codable, Sendable, Hashable, CaseIterable {
    /// Once per chat, on its first turn, before `onTurnStart`.
    case onChatStart
    /// Every turn, before `run`.
    case onTurnStart
    /// After `run`, while data parts still join the response.
    case onBeforeTurnComplete
    /// After the response ended, before `data-turn-complete`.
    case onTurnComplete
    /// The session was closed.
    case onChatClose
    /// The idle session left the daemon's memory.
    case onSuspend
    /// The session was rebuilt from storage.
    case onResume
    /// An action input (`{"kind":"action"}`): not a turn unless the hook's
    /// result starts one (`ActionOutcome`).
    case onAction
    /// Not a hook: the reason of the `cancel_turn` that follows.
    case cancelTurn
    /// Before each model request of a turn: `prompt` is the model context; the
    /// result (`PreparedMessages`) is what the model gets. Called only when the
    /// agent lists it (a `hooks` list without it, or none, is never called).
    case prepareMessages
    /// Not a hook: run the deferred work `deferralId` that a turn registered
    /// (`defer.start`); the result is a `DeferredResult`. `turn_id` is the
    /// work's own: `cancel_turn` with it cancels the work.
    case runDeferred
    /// Not a lifecycle moment: the agent's compaction predicate
    /// (`CompactionPolicy.shouldCompact`) with `compactionCheck`; the result is a
    /// `CompactionDecision`. Called only when the agent lists it.
    case shouldCompact
    /// Not a lifecycle moment: the agent's summariser (`CompactionPolicy.summarize`)
    /// of `prompt`; the result is a `CompactionSummary`. Called only when the agent lists it.
    case summarize

    /// Events an agent gets only when its manifest names them: an agent
    /// with no `hooks` list (every lifecycle event) does not get these, since
    /// their results change what the model reads.
    public var isOptIn: Bool {
        switch self {
        case .prepareMessages, .shouldCompact, .summarize: true
        default: false
        }
    }

    /// The events that may write data parts into the turn's response (the host
    /// passes a turn id with them).
    public var writesIntoTurn: Bool {
        switch self {
        case .onChatStart, .onTurnStart, .onBeforeTurnComplete: true
        default: false
        }
    }
}

/// Why `run` runs (`start_turn`'s `reason`).
public enum TurnReason: String, Codable, Sendable, Hashable {
    /// A user message: a new one, an edited one, or an answer to tool calls.
    case submit
    /// `trigger: "regenerate-message"`: the last answer is replaced.
    case regenerate
    /// An action input (`{"kind":"action"}`).
    case action
    /// The turn was cut off (the daemon or its worker died) and continues.
    case resumed
    /// The turn moved to a new build at a step boundary and continues there.
    case upgraded
}

/// Why a turn is cancelled (`cancelTurn`'s `cancelReason`).
public enum CancelReason: String, Codable, Sendable, Hashable {
    /// The user stopped the turn (`{"kind":"stop"}`).
    case stop
    /// The session was closed.
    case close
    /// The turn moves to a new build at a step boundary.
    case upgrade
    /// The build the turn runs on drained past its deadline.
    case drain
    /// The turn ran past its time limit.
    case timeout

    /// True only for a user's stop; every other reason is the host's.
    public var isUserStop: Bool { self == .stop }
}
