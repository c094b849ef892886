import AgentWire

/// The conversation as `useChat` renders it, folded from the session log.
///
/// A user message enters the history when its turn starts (the `turn-start`
/// control record), not when it arrives, so messages queued behind a running
/// turn appear after that turn's answer: user, assistant, user, assistant.
public struct MessageHistory: Sendable {
    public private(set) var messages: [UIMessage] = []
    private var queuedInputs: [Int64: InputRecord] = [:]
    /// The assistant message being streamed, and the index of each open part.
    private(set) var openAssistant: Int?
    private var openParts: [String: Int] = [:]
    /// Where each message id sits in `messages`, so a turn finds its message without a scan.
    private var indexById: [String: Int] = [:]
    private(set) var modelCache = ModelConversationCache()
    /// The turn that started and has not completed, if any.
    public private(set) var turnInProgress: TurnCheckpoint?
    /// The agent's saved state and the version label of the build that saved it.
    public private(set) var agentState: (state: JSONValue, version: String)?
    /// How many turns the chat has started (`turn-start` records): the running turn's number.
    public private(set) var turnsStarted = 0
    /// Whether the chat's `chat-start` record was written: `onChatStart` is not called again.
    public private(set) var chatStartRecorded = false
    /// Tokens the chat used, summed from every `usage` the step loop reported.
    public private(set) var totalUsage: ModelUsage?
    /// The latest compaction: the model's conversation starts from its summary.
    public private(set) var compaction: Compaction?
    /// Model-only context (`run.inject`, deferred results) and deferred work (ContextInjections).
    public private(set) var injections = ContextInjections()

    /// What the model was told a tool returned, where the tool gave it a compact
    /// form (`toModelOutput`): by message id, then tool call id. The messages keep
    /// the full output for the UI; `modelConversation()` uses these instead.
    private(set) var modelOutputs: [String: [String: JSONValue]] = [:]

    /// The member of a private `state` record that carries a tool's compact form
    /// for the model: `{"toolModelOutput": {"toolCallId", "output"}}`.
    static let toolModelOutputKey = "toolModelOutput"

    /// The member of a private `state` record that says a tool call is about to
    /// run: `{"toolCallStarted": {"toolCallId"}}` (`LogEntry.toolCallStarted`).
    static let toolCallStartedKey = "toolCallStarted"

    public init() {}

    /// Inputs that asked for a turn that has not started yet, oldest first.
    public var pendingInputs: [(seq: Int64, input: InputRecord)] {
        queuedInputs.sorted { $0.key < $1.key }.map { (seq: $0.key, input: $0.value) }
    }

    public init(records: [LogRecord]) {
        for record in records { apply(record) }
    }

    // MARK: Snapshots

    /// A history woken from a snapshot, then the records after it.
    /// - Parameters:
    ///   - snapshot: The history folded through `snapshot.throughSeq`.
    ///   - records: The log's records after that seq, in order.
    public init(snapshot: Snapshot, records: [LogRecord]) {
        messages = snapshot.messages
        queuedInputs = Dictionary(snapshot.queuedInputs.map { ($0.seq, $0.input) }, uniquingKeysWith: { first, _ in first })
        openAssistant = snapshot.openAssistant
        openParts = snapshot.openParts
        turnInProgress = snapshot.turnInProgress
        agentState = snapshot.agentState.map { ($0.state, $0.version) }
        turnsStarted = snapshot.turnsStarted
        chatStartRecorded = snapshot.chatStartRecorded ?? false
        totalUsage = snapshot.totalUsage
        modelOutputs = snapshot.modelOutputs ?? [:]
        compaction = snapshot.compaction
        injections = snapshot.injections ?? ContextInjections()
        for (index, message) in messages.enumerated() where indexById[message.id] == nil {
            indexById[message.id] = index
        }
        for record in records { apply(record) }
    }

    /// This history as a snapshot, folded through `seq` (the last record applied).
    public func snapshot(throughSeq seq: Int64) -> Snapshot {
        Snapshot(
            throughSeq: seq, messages: messages,
            queuedInputs: pendingInputs.map { Snapshot.QueuedInput(seq: $0.seq, input: $0.input) },
            openAssistant: openAssistant, openParts: openParts, turnInProgress: turnInProgress,
            agentState: agentState.map { Snapshot.SavedState(state: $0.state, version: $0.version) },
            turnsStarted: turnsStarted, chatStartRecorded: chatStartRecorded, totalUsage: totalUsage,
            modelOutputs: modelOutputs.isEmpty ? nil : modelOutputs, compaction: compaction,
            injections: injections == ContextInjections() ? nil : injections
        )
    }

    public mutating func apply(_ record: LogRecord) {
        guard let body = try? WireCoding.decode(JSONValue.self, from: record.body) else { return }
        apply(record, body: body)
    }

    /// As `apply(_:)`, for a caller that still holds the record's decoded body.
    public mutating func apply(_ record: LogRecord, body: JSONValue) {
        switch record.kind {
        case .input:
            guard var input = try? WireCoding.decode(InputRecord.self, from: record.body) else { return }
            absorbWaiting(into: &input)
            // An answer was checked against the waiting message before it was
            // persisted; it folds at once, so answers in a row see each other.
            if input.isToolAnswer, let answer = input.message, let index = indexById[answer.id] {
                ToolAnswers.merge(answer, into: &messages[index])
                modelCache.invalidate(from: index)
            }
            if input.startsTurn {
                queuedInputs[record.seq] = input
            } else if input.kind == .stop {
                turnInProgress?.stopRequested = true
            }
        case .control:
            switch UIChunk(json: body)?.control {
            case .turnStart(let inSeq):
                turnsStarted += 1
                var checkpoint = TurnCheckpoint(inSeq: inSeq)
                checkpoint.number = turnsStarted
                checkpoint.usageBefore = totalUsage
                if let input = queuedInputs.removeValue(forKey: inSeq) {
                    checkpoint.reason = input.turnReason
                    checkpoint.metadata = input.metadata
                    beginTurn(for: input)
                }
                turnInProgress = checkpoint
            case .chatStart:
                chatStartRecorded = true
            case .pendingMessageInjected(let inSeq, _, let responseMessageId):
                inject(inSeq: inSeq, responseMessageId: responseMessageId)
            case .interrupted:
                turnInProgress?.interruptions += 1
            case .historyChanged(_, let edits):
                for edit in edits { self.edit(edit) }
            case .contextInjected(_, let seqs):
                let anchor = injectionAnchor
                injections.place(seqs, message: anchor.message, part: anchor.part, at: record.seq)
            case .turnComplete(let inSeq):
                turnInProgress = nil
                // An action that started no turn ends here, without a `turn-start`.
                queuedInputs[inSeq] = nil
                // Nothing of this turn follows; an answer that ended in `error`
                // without `finish` is final too.
                openAssistant = nil
            default:
                break
            }
        case .state:
            if let callId = body[Self.toolCallStartedKey]?["toolCallId"]?.stringValue {
                turnInProgress?.recordStart(ofToolCall: callId)
                return
            }
            if let compaction = Compaction(record: body) { self.compaction = compaction }
            injections.apply(state: body, seq: record.seq)
            if let state = body["state"] { agentState = (state, body["version"]?.stringValue ?? "") }
            if let record = body[Self.toolModelOutputKey], let callId = record["toolCallId"]?.stringValue,
               let output = record["output"], let index = openAssistant {
                // It precedes the call's output chunk, in the answer being streamed.
                modelOutputs[messages[index].id, default: [:]][callId] = output
            }
        case .output:
            guard let chunk = UIChunk(json: body) else { return }
            turnInProgress?.apply(chunk)
            if case .messageMetadata(let metadata) = chunk, let usage = ModelUsage(reported: metadata) {
                totalUsage = ModelUsage.combine(totalUsage, usage)
            }
            apply(chunk)
        }
    }

    private mutating func beginTurn(for input: InputRecord) {
        // A user message closes the calls still waiting: those the session named when it
        // arrived, and any call the last answer left without a result — an approval
        // request or a client-side call may have come while this message was queued
        // (its turn begins only after that turn completed, so nothing else runs them).
        if input.message?.role == "user", let index = messages.lastIndex(where: { $0.role == "assistant" }) {
            let closing = Set(input.closesToolCalls ?? []).union(messages[index].waitingToolCallIds(clientCallsWait: true))
            if !closing.isEmpty {
                ToolAnswers.close(closing, in: &messages[index])
                modelCache.invalidate(from: index)
            }
        }
        if input.isToolAnswer {
            // Folded when it arrived; the turn continues that message.
        } else if input.isRegenerate {
            regenerate(input.messageId)
        } else if let message = input.message {
            // Messages a `merge` input took over enter the conversation first, in order.
            for merged in input.mergedMessages ?? [] where indexById[merged.id] == nil { append(merged) }
            if let index = indexById[message.id] {
                // An edit: the message is replaced and what followed it, answered
                // to the old text, goes; the turn answers the new text.
                truncate(from: index + 1)
                messages[index] = message
                modelCache.invalidate(from: index)
            } else {
                append(message)
            }
        }
    }

    /// Cuts the history back so the turn answers again: to before the named
    /// assistant message, or to just after the named user message; without an
    /// id (or one not in the history), the last answer goes.
    private mutating func regenerate(_ messageId: String?) {
        if let messageId, let index = indexById[messageId] {
            truncate(from: messages[index].role == "assistant" ? index : index + 1)
        } else if messages.last?.role == "assistant" {
            truncate(from: messages.count - 1)
        }
    }

    /// Drops the message at `index` and every one after it.
    mutating func truncate(from index: Int) {
        guard index < messages.count else { return }
        for position in index..<messages.count where indexById[messages[position].id] == position {
            indexById[messages[position].id] = nil
            modelOutputs[messages[position].id] = nil
        }
        messages.removeSubrange(index...)
        modelCache.invalidate(from: index)
        injections.truncate(from: index)
        // A summary of messages that are gone no longer stands for them.
        if let covered = compaction?.messageCount, index < covered { compaction = nil }
        if let open = openAssistant, open >= index { openAssistant = nil }
    }

    /// One edit of an action (`data-history-changed`); an id the history does
    /// not hold changes nothing, so a fold without messages (a woken session's,
    /// `SessionHistory`) passes over it and the decoded fold applies it.
    private mutating func edit(_ edit: HistoryEdit) {
        switch edit {
        case .rollback(let id):
            guard let index = indexById[id] else { return }
            truncate(from: index + 1)
        case .remove(let id):
            guard let index = indexById[id] else { return }
            // The messages after it move up one place, keeping what the model was told of their tools.
            let tail = Array(messages[(index + 1)...])
            let outputs = tail.compactMap { message in modelOutputs[message.id].map { (message.id, $0) } }
            var injected = injections
            injected.remove(at: index)
            truncate(from: index)
            for message in tail { append(message) }
            for (messageId, output) in outputs { modelOutputs[messageId] = output }
            injections = injected
        case .replace(let message):
            guard let index = indexById[message.id] else { return }
            messages[index] = message
            modelOutputs[message.id] = nil
            modelCache.invalidate(from: index)
            // The summary tells the old message: the model gets the messages again.
            if let covered = compaction?.messageCount, index < covered { compaction = nil }
        }
    }

    private mutating func append(_ message: UIMessage) {
        // A duplicate id keeps pointing at its first message, as a scan from the start would.
        if indexById[message.id] == nil { indexById[message.id] = messages.count }
        messages.append(message)
    }

    /// The conversation as the model sees it: every message, the answer in
    /// progress included (a resumed turn's). Converts only what changed since
    /// the last call, so a turn costs the same at message 2,000 as at message 2.
    public mutating func modelConversation() -> [ModelMessage] {
        let all = modelCache.conversation(of: messages, settled: openAssistant ?? messages.count, modelOutputs: modelOutputs)
        // Injected context goes into its places (MessageHistory+ContextInjection).
        guard injections.placed.isEmpty else { return injectedConversation(all) }
        guard let compaction, compaction.messageCount > 0 else { return all }
        // The summary stands for the messages it covers; what came after follows as is.
        if let cut = modelCache.convertedCount(ofFirst: compaction.messageCount) {
            return [compaction.modelMessage] + all[cut...]
        }
        let rest = compaction.messageCount < messages.count ? Array(messages[compaction.messageCount...]) : []
        return [compaction.modelMessage] + ModelMessage.from(rest, modelOutputs: modelOutputs)
    }

    private mutating func apply(_ chunk: UIChunk) {
        if case .start(let messageId) = chunk, let index = indexById[messageId], index == messages.count - 1,
           messages[index].role == "assistant" {
            // A turn that continues the answer after tool approvals: same message, its tool parts reachable.
            openAssistant = index
            openParts = Dictionary(messages[index].toolParts.map { ("tool:\($0.part.toolCallId)", $0.index) }, uniquingKeysWith: { $1 })
            modelCache.invalidate(from: index)
            markAnswerStart(messageId)
            return
        }
        if case .start(let messageId) = chunk {
            let id = messageId.isEmpty ? "assistant-\(messages.count)" : messageId
            append(UIMessage(id: id, role: "assistant", parts: []))
            openAssistant = messages.count - 1
            openParts = [:]
            markAnswerStart(messageId)
            return
        }
        guard let index = openAssistant else { return }
        switch chunk {
        case .textStart(let id):
            openParts["text:\(id)"] = messages[index].parts.count
            messages[index].parts.append(["type": "text", "text": "", "state": "streaming"])
        case .reasoningStart(let id):
            openParts["reasoning:\(id)"] = messages[index].parts.count
            messages[index].parts.append(["type": "reasoning", "text": "", "state": "streaming"])
        case .textDelta(let id, let delta):
            appendText(delta, toPart: "text:\(id)", in: index)
        case .reasoningDelta(let id, let delta):
            appendText(delta, toPart: "reasoning:\(id)", in: index)
        case .textEnd(let id):
            updatePart("text:\(id)", in: index) { $0["state"] = "done" }
        case .reasoningEnd(let id):
            updatePart("reasoning:\(id)", in: index) { $0["state"] = "done" }
        case .toolInputAvailable(let callId, let name, let input):
            openParts["tool:\(callId)"] = messages[index].parts.count
            messages[index].parts.append([
                "type": .string("tool-\(name)"), "toolCallId": .string(callId),
                "state": "input-available", "input": input,
            ])
        case .toolOutputAvailable(let callId, let output):
            updatePart("tool:\(callId)", in: index) { part in
                part["state"] = "output-available"
                part["output"] = output
                part["preliminary"] = nil
            }
        case .toolOutputPreliminary(let callId, let output):
            // As the AI SDK's client does: the part shows the progress until the final output.
            updatePart("tool:\(callId)", in: index) { part in
                part["state"] = "output-available"
                part["output"] = output
                part["preliminary"] = true
            }
        case .toolApprovalRequest(let approvalId, let callId):
            updatePart("tool:\(callId)", in: index) { part in
                part["state"] = "approval-requested"
                part["approval"] = ["id": .string(approvalId)]
            }
        case .toolOutputDenied(let callId):
            updatePart("tool:\(callId)", in: index) { part in
                part["state"] = "output-denied"
                if case .object(var approval)? = part["approval"] {
                    approval["approved"] = false
                    part["approval"] = .object(approval)
                }
            }
        case .toolOutputError(let callId, let errorText):
            updatePart("tool:\(callId)", in: index) { part in
                part["state"] = "output-error"
                part["errorText"] = .string(errorText)
            }
        case .startStep:
            messages[index].parts.append(["type": "step-start"])
        case .messageMetadata(let metadata):
            messages[index].metadata = Self.merge(messages[index].metadata, metadata)
        case .finish, .abort, .error:
            closeOpenParts(in: index)
            // An `error` may be followed by the response's `finish`: keep it open.
            if case .error = chunk {} else { openAssistant = nil }
        case .data(_, _, let transient, _):
            // A data part in a message has the chunk's own shape.
            if !transient { messages[index].parts.append(chunk.json) }
        default:
            break
        }
    }

    /// The running turn's first answer message is `messageId` (a later `start`
    /// of the same turn, after a steered message, leaves it as it is).
    private mutating func markAnswerStart(_ messageId: String) {
        if turnInProgress != nil, turnInProgress?.answerMessageId == nil, !messageId.isEmpty {
            turnInProgress?.answerMessageId = messageId
        }
    }

    private mutating func appendText(_ delta: String, toPart key: String, in index: Int) {
        updatePart(key, in: index) { part in
            part["text"] = .string((part["text"]?.stringValue ?? "") + delta)
        }
    }

    /// The AI SDK's `mergeObjects`: objects merge key by key, anything else replaces.
    static func merge(_ base: JSONValue?, _ update: JSONValue?) -> JSONValue? {
        guard let update else { return base }
        guard case .object(var merged) = base, case .object(let changes) = update else { return update }
        for (key, value) in changes { merged[key] = merge(merged[key], value) }
        return .object(merged)
    }

    private mutating func updatePart(_ key: String, in index: Int, _ change: (inout [String: JSONValue]) -> Void) {
        guard let partIndex = openParts[key], case .object(var part) = messages[index].parts[partIndex] else { return }
        change(&part)
        messages[index].parts[partIndex] = .object(part)
    }

    /// A stopped answer keeps what was streamed; its parts are marked done.
    private mutating func closeOpenParts(in index: Int) {
        for (key, _) in openParts where key.hasPrefix("text:") || key.hasPrefix("reasoning:") {
            updatePart(key, in: index) { $0["state"] = "done" }
        }
        openParts = openParts.filter { $0.key.hasPrefix("tool:") }
    }
}

// MARK: - Messages that arrived while the agent was busy

extension MessageHistory {
    /// An input that took over waiting ones (`absorbs`): they get no turn of
    /// their own. A `merge` input carries their messages into its turn; for
    /// `latest` and `debounce` they leave the conversation.
    fileprivate mutating func absorbWaiting(into input: inout InputRecord) {
        guard let absorbed = input.absorbs, !absorbed.isEmpty else { return }
        var carried: [UIMessage] = []
        for seq in absorbed.sorted() {
            guard let waiting = queuedInputs.removeValue(forKey: seq) else { continue }
            carried += (waiting.mergedMessages ?? []) + (waiting.message.map { [$0] } ?? [])
        }
        if input.mode == .merge, !carried.isEmpty { input.mergedMessages = carried }
    }

    /// A steered input entered the running turn at a step boundary: its message
    /// goes into the conversation there, and the answer goes on after it in a
    /// message of its own — the history's order is the order the model saw.
    fileprivate mutating func inject(inSeq: Int64, responseMessageId: String) {
        guard let input = queuedInputs.removeValue(forKey: inSeq), let message = input.message else { return }
        if let index = openAssistant { closeOpenParts(in: index) }
        if indexById[message.id] == nil { append(message) }
        append(UIMessage(id: responseMessageId, role: "assistant", parts: []))
        openAssistant = messages.count - 1
        openParts = [:]
    }
}
