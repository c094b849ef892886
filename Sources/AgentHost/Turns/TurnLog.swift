import AgentWire

/// What a running turn needs from the session it answers: its log, the
/// conversation so far, and the two moments the session must know about.
///
/// A protocol so the turn layer never needs to know what a session is (the
/// session starts turns, not the other way round), and so a turn can be run
/// in a unit test against a log that is not a session actor.
protocol TurnLog: Sendable {
    var chatId: String { get }
    var agent: String { get }
    /// Appends records of several kinds in one commit; returns once they are durable.
    func append(_ entries: [LogEntry]) async throws
    /// The conversation the agent sees, the answer in progress included when it has content.
    var conversation: [UIMessage] { get async }
    /// How many messages `conversation` has, and its newest: what a plugin that
    /// fetches messages on request gets with `start_turn`, without copying the rest.
    var conversationEnd: (count: Int, newest: UIMessage?) { get async }
    /// The same conversation as the model sees it, kept converted by the log's
    /// owner so that a turn does not convert the whole past again.
    var modelConversation: [ModelMessage] { get async }
    /// The agent state last saved in this session and the version label that saved it.
    var agentState: (state: JSONValue, version: String)? { get async }
    /// The client's data for the running turn, which tools receive; nil: none.
    var clientData: JSONValue? { get async }
    /// How far the running turn got, from the log.
    var checkpoint: TurnCheckpoint? { get async }
    /// The turn is about to lease a generation.
    func turnWillRun() async throws
    /// `data-turn-complete` is persisted; the session may start its next turn.
    func turnDidEnd() async
    /// The turn stopped because storage refused its records
    /// (`AgentHostError.storageUnavailable`): it has no `data-turn-complete`.
    func turnCutOff(by error: any Error) async
    /// The message id the `start` of input `inSeq`'s turn carries: the answered
    /// message's own when the input answers tool calls (the turn continues it).
    func responseMessageId(inSeq: Int64) async -> String
    /// The running turn's context: reason, number, message, clientData, usage.
    var turnContext: TurnContext { get async }
    /// How the running turn's answer stands.
    var turnSummary: TurnSummary { get async }
    /// The steered inputs the running turn takes at a step boundary, oldest first.
    func takeSteering() async -> [(inSeq: Int64, message: UIMessage)]
    /// How many messages the history holds and the last seq of the log: where a
    /// compaction written now starts its cover.
    var compactionPoint: (messageCount: Int, lastSeq: Int64) { get async }
    /// Where the running turn's answer starts in the history, and how many of
    /// `modelConversation`'s last messages it is so far; nil when the log does
    /// not know (no compaction between steps then).
    var runningAnswer: RunningAnswer? { get async }

    /// Input `inSeq` when it is an action waiting to be handled; nil for any other input.
    func pendingAction(inSeq: Int64) async -> PendingAction?
}

extension TurnLog {
    /// A log that knows nothing of contexts: a first turn, submitted, without data.
    var turnContext: TurnContext { get async { TurnContext() } }

    /// A log that keeps no history: nothing to summarise.
    var turnSummary: TurnSummary { get async { TurnSummary() } }

    /// No client data: a log whose session was created without any.
    var clientData: JSONValue? { get async { nil } }

    /// Nothing is ever steered into a log that keeps no inputs.
    func takeSteering() async -> [(inSeq: Int64, message: UIMessage)] { [] }

    /// A log that keeps no history has nothing to compact.
    var compactionPoint: (messageCount: Int, lastSeq: Int64) { get async { (0, 0) } }

    /// A log that keeps no history does not know where an answer starts.
    var runningAnswer: RunningAnswer? { get async { nil } }

    /// A log that resumes nothing: a cut-off turn simply ends.
    func turnCutOff(by error: any Error) async {
        await turnDidEnd()
    }

    /// A log without actions.
    func pendingAction(inSeq: Int64) async -> PendingAction? { nil }

    /// A new message for every turn: a log that never continues an answer.
    func responseMessageId(inSeq: Int64) async -> String {
        TurnRunner.messageId(chatId: chatId, inSeq: inSeq)
    }
}

/// One record to append: its kind and its JSON body.
struct LogEntry: Sendable {
    var kind: LogRecord.Kind
    var body: JSONValue

    init(_ kind: LogRecord.Kind, _ body: JSONValue) {
        self.kind = kind
        self.body = body
    }

    /// An output chunk of the agent's answer.
    static func output(_ chunk: UIChunk) -> LogEntry { LogEntry(.output, chunk.json) }

    /// A control part framing the turn.
    static func control(_ part: ControlPart) -> LogEntry { LogEntry(.control, part.chunk.json) }

    /// The compact form a tool gave the model for a call of the answer in
    /// progress: private (a `state` record, never streamed), folded by the history.
    static func toolModelOutput(toolCallId: String, _ output: JSONValue) -> LogEntry {
        LogEntry(.state, [MessageHistory.toolModelOutputKey: ["toolCallId": .string(toolCallId), "output": output]])
    }

    /// A tool call of the running turn is about to run: private (a `state`
    /// record), folded into the turn's checkpoint, so recovery after a crash
    /// knows the call may have had effects (README, "Tools after a crash").
    static func toolCallStarted(toolCallId: String) -> LogEntry {
        LogEntry(.state, [MessageHistory.toolCallStartedKey: ["toolCallId": .string(toolCallId)]])
    }
}
