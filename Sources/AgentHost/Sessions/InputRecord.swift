import AgentWire

/// One client input, the body of `POST /realtime/v1/sessions/{chatId}/in`.
public struct InputRecord: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case message
        case stop
        case action
        /// Drops every input waiting behind the running turn (they get no turn);
        /// the running turn goes on (`stop` ends it).
        case clearQueue = "clear-queue"
    }

    public var kind: Kind
    public var message: UIMessage?
    /// `submit-message` (default) or `regenerate-message`.
    public var trigger: String?
    public var action: JSONValue?
    /// The client's data for this input (`clientData`): merged over the session's
    /// creation clientData (top-level object merge) for the turn it starts.
    public var metadata: JSONValue?
    /// With `regenerate-message`: the message to answer again; it and every
    /// message after it are replaced (an assistant message), or every message
    /// after it (a user message). Absent: the last answer.
    public var messageId: String?
    /// Set by the host, never taken from a client: a user message that arrived
    /// while these tool calls waited for a person closes them (denied), so none
    /// waits forever and none runs later.
    public var closesToolCalls: [String]?
    /// Set by the host, never taken from a client: this answer leaves other calls
    /// waiting, so it is folded into the message but starts no turn.
    public var leavesCallsWaiting: Bool?
    /// What this message does if the agent is busy when it arrives; nil: the
    /// agent's `messageConcurrency`. The host writes down the mode it applied.
    public var mode: MessageConcurrency?
    /// Set by the host, never taken from a client: the waiting inputs this one
    /// took over (`latest`, `debounce`: they get no turn and leave the
    /// conversation; `merge`: their messages enter it with this one's turn).
    public var absorbs: [Int64]?
    /// Set by the history when it folds an input that merges waiting ones: their
    /// messages, which enter the conversation before this one's.
    public var mergedMessages: [UIMessage]?

    public init(
        kind: Kind, message: UIMessage? = nil, trigger: String? = nil, action: JSONValue? = nil, metadata: JSONValue? = nil,
        messageId: String? = nil, mode: MessageConcurrency? = nil
    ) {
        self.mode = mode
        self.kind = kind
        self.message = message
        self.trigger = trigger
        self.action = action
        self.metadata = metadata
        self.messageId = messageId
    }

    /// Why the turn this input starts runs.
    var turnReason: TurnReason {
        switch kind {
        case .action: .action
        case .message where isRegenerate: .regenerate
        case .message, .stop, .clearQueue: .submit
        }
    }

    /// An assistant message: a person's answer to tool calls of that message
    /// (approvals, client-side tool outputs), which continues it.
    public var isToolAnswer: Bool { kind == .message && !isRegenerate && message?.role == "assistant" }

    public var isRegenerate: Bool { trigger == "regenerate-message" }

    /// Rejects inputs that are well-formed JSON but make no sense.
    public func validate() throws(AgentHostError) {
        switch kind {
        case .message:
            if isRegenerate { return }
            guard let message else { throw .badRequest("a message input needs a `message`") }
            guard message.role == "user" || message.role == "assistant" else {
                throw .badRequest("only `user` messages, and `assistant` messages that answer tool calls, can be sent, got `\(message.role)`")
            }
            if let trigger, trigger != "submit-message" {
                throw .badRequest("unknown trigger `\(trigger)`")
            }
            try message.validateParts()
        case .stop, .clearQueue:
            return
        case .action:
            guard action != nil else { throw .badRequest("an action input needs an `action`") }
        }
    }

    /// The input as a client sent it: without the fields the host sets (the
    /// mode it applied, what it took over, the calls it closed). A retry with
    /// the same `Idempotency-Key` must match the first on these.
    var asSentByClient: InputRecord {
        var input = self
        input.mode = nil
        input.closesToolCalls = nil
        input.leavesCallsWaiting = nil
        input.absorbs = nil
        input.mergedMessages = nil
        return input
    }

    /// Whether this input asks the agent for a turn.
    public var startsTurn: Bool { (kind == .message || kind == .action) && leavesCallsWaiting != true }
}
