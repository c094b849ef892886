import AgentWire
import Foundation
import Logging

/// One chat: the single owner of its log, its input queue and its running turn.
///
/// Every record goes through `persist`, which commits it (group commit) before
/// publishing it to subscribers, so a client can never have seen a chunk the
/// log does not hold. What the session does next — answer, queue, stop, close,
/// leave memory — is decided by its `SessionLifecycle`; this actor carries
/// the decisions out.
actor Session {
    let chatId: String
    let agent: String
    private let services: SessionServices
    private var row: SessionRow
    private var lifecycle: SessionLifecycle
    private var lastSeq: Int64
    private var lastPublished: Int64
    private var history: SessionHistory
    private var turn: TurnHandle?
    /// Idempotency keys seen lately: the input's seq and the hash of the input as sent (`asSentByClient`).
    private var recentKeys: [String: (seq: Int64, fingerprint: Int)] = [:]
    private var subscribers: [UUID: LiveBuffer] = [:]
    /// Commits of this actor's records not yet done (`persist`): eviction waits for them.
    private var writesInFlight = 0
    private var lastActivity = ContinuousClock.now
    /// The seq the latest stored history snapshot was folded through.
    private var snapshotSeq: Int64
    /// The running turn's response ended with `finish` `tool-calls`: calls may wait for a person.
    private var responseEndedForToolCalls = false
    /// The session was rebuilt from a log that held records (not a brand new
    /// one): it had been evicted, or the daemon restarted. `onResume` is due.
    let wokeWithHistory: Bool
    /// The clientData the session was created with (`POST /api/v1/sessions`).
    let creationClientData: JSONValue?
    /// Hooks that must be over before this session's next turn (`onResume`).
    let hooksBeforeTurns = HookGate()
    /// The session was closed while a turn ran: its readers get the turn's last
    /// records, then end, and `onChatClose` runs, when the turn ends.
    private var chatCloseHookPending = false
    /// Injections a turn took whose `data-context-injected` may not be folded yet:
    /// no other boundary takes them again.
    private var injectionsTaken: Set<Int64> = []
    /// Deferred work this process's turns registered, and the tasks running it.
    private var deferredWork = DeferredWorkTable()
    /// The last stored seq when live readers were last told that a turn was cut
    /// off by storage (`turnCutOff`): a retry that fails before storing anything
    /// does not tell them again.
    private var cutOffAnnouncedAt: Int64?
    /// On a cluster: this daemon lost the session's ownership lock (its
    /// connection broke), so another daemon may run it now. Nothing more is
    /// written from this actor; callers reload the session (`Evicted`).
    private var fenced = false

    /// A live session writes a history snapshot at the end of a turn once at
    /// least this many records were added since the last one, and at least a
    /// sixteenth of the log: a snapshot encodes the whole history, so spacing
    /// them in proportion to its size keeps their cost per record flat, while a
    /// wake after a crash folds at most about 6% of the log.
    static let snapshotInterval: Int64 = 4096
    /// A session leaving memory writes one if this many records came since the last.
    static let evictionSnapshotInterval: Int64 = 256

    /// Thrown to callers holding an evicted actor; the directory retries with a fresh one.
    struct Evicted: Error {}

    /// - Parameters:
    ///   - row: The session's row.
    ///   - history: Its log folded through `lastSeq` (its messages perhaps still encoded).
    ///   - lastSeq: The last seq in its log.
    ///   - snapshotSeq: The seq its latest stored snapshot was folded through (0: none).
    ///   - services: What sessions need from the daemon.
    init(row: SessionRow, history: SessionHistory, lastSeq: Int64, snapshotSeq: Int64, services: SessionServices) {
        self.wokeWithHistory = lastSeq > 0
        self.chatId = row.chatId
        self.agent = row.agent
        self.row = row
        self.services = services
        self.history = history
        self.lastSeq = lastSeq
        self.snapshotSeq = snapshotSeq
        self.lastPublished = lastSeq
        self.creationClientData = row.clientData.flatMap { try? WireCoding.decode(JSONValue.self, from: $0) }
        let pending = history.pendingInputs
        self.lifecycle = SessionLifecycle(
            status: row.status, queued: pending.map(\.seq), steering: Set(pending.filter { $0.input.mode == .steer }.map(\.seq)),
            interrupted: history.turnInProgress
        )
    }

    // MARK: Inputs

    /// Persists one client input and returns its seq. A repeated idempotency key
    /// returns the first seq and changes nothing.
    func submit(_ input: InputRecord, idempotencyKey: String?) async throws -> Int64 {
        try await accept(input, idempotencyKey: idempotencyKey).seq
    }

    /// What `accept` did with an input.
    struct Submission: Sendable, Hashable {
        /// The input's seq; for an answer given before, the last seq (nothing was written).
        var seq: Int64
        /// The input asks for a turn (it may be queued behind another).
        var startsTurn: Bool
        /// For `clear-queue`: the waiting inputs it took away.
        var cleared: [Int64] = []
    }

    /// As `submit`, saying whether a turn answers the input: an answer that
    /// leaves tool calls waiting, or repeats one given before, starts none.
    func accept(_ input: InputRecord, idempotencyKey: String?) async throws -> Submission {
        try checkInMemory()
        lastActivity = .now
        let sent = input.asSentByClient
        let size = try WireCoding.encode(sent).count
        guard size <= services.inputLimits.maxInputBytes else { throw AgentHostError.inputTooLarge(limit: services.inputLimits.maxInputBytes) }
        // Asked before the idempotency checks: nothing may suspend between their last look and the claim.
        let mode = await concurrencyMode(for: input)
        if let key = idempotencyKey {
            if let seen = try repeated(key, sent) { return Submission(seq: seen, startsTurn: input.startsTurn) }
            if let seq = try await services.storage.inputSeq(chatId: chatId, idempotencyKey: key) {
                guard let first = try await storedInput(seq: seq), first == sent else { throw AgentHostError.idempotencyKeyReused(key) }
                // The hash of the input, not of an optional holding it: a retry compares `sent.hashValue`.
                recentKeys[key] = (seq, first.hashValue)
                return Submission(seq: seq, startsTurn: input.startsTurn)
            }
            // Another call with this key may have got here while we awaited.
            if let seen = try repeated(key, sent) { return Submission(seq: seen, startsTurn: input.startsTurn) }
        }
        var input = input
        if case .duplicate? = try prepareToolAnswers(&input) {
            return Submission(seq: lastPublished, startsTurn: false)
        }
        let kind = SessionLifecycle.InputKind(input)
        // The lifecycle's claim, the seq and the key are all taken before the
        // next suspension point, so a concurrent retry with the same key finds them.
        let queueLimit = services.inputLimits.maxQueuedInputs
        let plan = try refusing { () throws(SessionLifecycle.Refusal) in
            try lifecycle.receive(kind, seq: lastSeq + 1, mode: mode, queueLimit: queueLimit)
        }
        // The log says what the busy session did with the input, not memory.
        input.mode = plan.mode
        input.absorbs = plan.absorbs.isEmpty ? nil : plan.absorbs
        input.mergedMessages = nil
        let body = try WireCoding.encodeString(input)
        let seq = try await record(
            body, idempotencyKey: idempotencyKey, fingerprint: sent.hashValue, plan: plan, messageId: input.continuedMessageId,
            framed: input.kind != .action
        )
        carryOut(lifecycle.inputPersisted(kind, seq: seq, mode: plan.mode))
        return Submission(seq: seq, startsTurn: input.startsTurn, cleared: input.kind == .clearQueue ? plan.absorbs : [])
    }

    /// The seq of the input first sent with `key`, when this actor saw it;
    /// throws when that input differs from `sent` (the hash of each is kept, not the input).
    private func repeated(_ key: String, _ sent: InputRecord) throws -> Int64? {
        guard let seen = recentKeys[key] else { return nil }
        guard seen.fingerprint == sent.hashValue else { throw AgentHostError.idempotencyKeyReused(key) }
        return seen.seq
    }

    /// The stored input `seq`, as its client sent it.
    private func storedInput(seq: Int64) async throws -> InputRecord? {
        let records = try await services.storage.records(chatId: chatId, after: seq - 1, upTo: seq, limit: 1)
        return records.first.flatMap { try? WireCoding.decode(InputRecord.self, from: $0.body) }?.asSentByClient
    }

    /// Commits the input — with the status change and, for a turn answered at
    /// once, the turn's opening records — and returns its seq.
    /// - Parameters:
    ///   - messageId: The answer the turn continues; nil for a new one.
    ///   - framed: A turn answered at once opens in this commit; false for an
    ///     action, whose handler decides whether a turn answers it.
    private func record(
        _ body: String, idempotencyKey: String?, fingerprint: Int, plan: SessionLifecycle.InputPlan, messageId: String?, framed: Bool
    ) async throws -> Int64 {
        let seq = nextSeq()
        if let key = idempotencyKey {
            // A cache in front of the storage lookup, bounded; storage stays the authority.
            if recentKeys.count >= 1024 { recentKeys.removeAll(keepingCapacity: true) }
            recentKeys[key] = (seq, fingerprint)
        }
        var entries: [LogEntry] = []
        if plan.answersNow {
            turn = TurnHandle(stopGracePeriod: services.stopGracePeriod)
            if framed { entries = TurnRunner.framing(chatId: chatId, inSeq: seq, messageId: messageId) }
        }
        do {
            // The session is marked running in the same transaction as its input,
            // so after a crash every unanswered input belongs to a session that
            // recovery looks at.
            var records = [LogRecord(chatId: chatId, seq: seq, kind: .input, body: body, idempotencyKey: idempotencyKey)]
            records += entries.map { LogRecord(chatId: chatId, seq: nextSeq(), kind: $0.kind, body: $0.body.jsonText) }
            let bodies: [JSONValue] = [(try? WireCoding.decode(JSONValue.self, from: body)) ?? .null] + entries.map(\.body)
            try await persist(records, bodies: bodies, status: plan.status.map(statusChange))
        } catch {
            if let key = idempotencyKey { recentKeys[key] = nil }
            if plan.answersNow { turn = nil }
            carryOut(lifecycle.inputFailed(seq: seq))
            throw error
        }
        return seq
    }

    private func carryOut(_ action: SessionLifecycle.Action) {
        switch action {
        case .none:
            break
        case .stopTurn:
            turn?.stop()
        case .startTurn(var origin):
            // A turn cut off by storage waited in memory: a stop may have been
            // stored since, and the log's checkpoint has it.
            if case .interrupted = origin, let latest = history.turnInProgress { origin = .interrupted(latest) }
            let handle = turn ?? TurnHandle(stopGracePeriod: services.stopGracePeriod)
            turn = handle
            TurnRunner.start(log: self, origin: origin, services: services.turnServices, handle: handle)
        case .startAfterQuiet(let inSeq, let milliseconds):
            scheduleQuietWindow(inSeq: inSeq, milliseconds: milliseconds)
        }
    }

    // MARK: Output

    /// Appends records of several kinds in one commit, e.g. `turn-start` + `start`.
    func append(_ entries: [LogEntry]) async throws {
        lastActivity = .now
        noteToolCallsEnding(entries)
        let records = entries.map { entry in
            LogRecord(chatId: chatId, seq: nextSeq(), kind: entry.kind, body: entry.body.jsonText)
        }
        try await persist(records, bodies: entries.map(\.body))
    }

    private func nextSeq() -> Int64 {
        lastSeq += 1
        return lastSeq
    }

    /// Commits, then applies and publishes. `bodies` are the decoded records,
    /// which spares decoding every chunk again on the hot path.
    private func persist(_ records: [LogRecord], bodies: [JSONValue], status: StatusChange? = nil) async throws {
        // While records with seqs of this actor are on their way to storage, the
        // session may not leave memory: an actor woken from storage in the meantime
        // would not see them and would hand out the same seqs again.
        try checkOwned()
        writesInFlight += 1
        defer { writesInFlight -= 1 }
        try await services.writer.append(records, status: status)
        noteChanges(records, bodies: bodies, status: status)
        for (record, body) in zip(records, bodies) {
            history.apply(record, body: body)
            lastPublished = max(lastPublished, record.seq)
        }
        // One batch per commit: a subscriber writes it to its socket in one go.
        publish(records.filter(\.isStreamed))
    }

    /// Offers a batch to every live reader; drops those that fell behind.
    private func publish(_ streamed: [LogRecord]) {
        guard !streamed.isEmpty else { return }
        for (id, reader) in subscribers where !reader.offer(streamed) {
            // It resumes from the log with `Last-Event-ID`; its feed says why it ended.
            subscribers[id] = nil
            services.logger.notice(
                "dropped a reader that fell behind",
                metadata: ["chatId": "\(chatId)", "limitBytes": "\(reader.limitBytes)", "seq": "\(lastPublished)"]
            )
        }
    }

    /// Live record batches from now on, and the last seq already published.
    func subscribe() throws -> LiveSubscription {
        try checkInMemory()
        lastActivity = .now
        let id = UUID()
        let buffer = LiveBuffer(limitBytes: services.readerBufferBytes) { Task { await self.unsubscribe(id) } }
        // A closed session's turn may still be winding down (`close`): its last records are live.
        if lifecycle.status == .closed && !chatCloseHookPending {
            buffer.finish()
        } else {
            subscribers[id] = buffer
        }
        return LiveSubscription(records: LiveReader(buffer), publishedThrough: lastPublished)
    }

    /// Ends every reader's stream for a daemon shutdown (`LiveBuffer.stopForShutdown`).
    func stopReadersForShutdown() {
        for reader in subscribers.values { reader.stopForShutdown() }
        subscribers.removeAll()
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
        lastActivity = .now
    }

    /// Marks the actor evicted when nothing needs it in memory: no turn running
    /// or waiting, no subscriber, no activity for `idleFor`. The log holds the
    /// rest; a snapshot of the history goes with it when many records came since the last.
    func evictIfIdle(idleFor: Duration) -> Bool {
        // Deferred work records its result in this actor's log: it stays until then.
        guard writesInFlight == 0, deferredWork.running.isEmpty else { return false }
        let evicted = lifecycle.evictIfIdle(
            hasReaders: !subscribers.isEmpty, idleLongEnough: lastActivity.duration(to: .now) >= idleFor
        )
        if evicted { saveSnapshot(ifRecordsSinceLast: Self.evictionSnapshotInterval) }
        return evicted
    }

    private func saveSnapshot(ifRecordsSinceLast interval: Int64) {
        guard lastPublished - snapshotSeq >= interval else { return }
        snapshotSeq = lastPublished
        HistorySnapshot.save(
            history.decoded { $0.snapshot(throughSeq: lastPublished) }, chatId: chatId, storage: services.storage, logger: services.logger
        )
    }

    /// Whether the history's messages are built: a woken session builds them
    /// only when something reads them (`SessionHistory`).
    var historyIsDecoded: Bool { history.isDecoded }

    var messages: (messages: [UIMessage], lastSeq: Int64) {
        (history.decoded { $0.messages }, lastPublished)
    }

    var info: SessionInfo {
        SessionInfo(
            chatId: chatId, agent: agent, status: lifecycle.status, generation: turn?.generationId, lastSeq: lastPublished,
            queuedInputs: lifecycle.queuedInputs, createdAt: row.createdAt, updatedAt: row.updatedAt,
            clientData: row.clientData, metadata: row.metadata, parentChatId: row.parentChatId, toolCallId: row.toolCallId
        )
    }

    /// The turn a client resuming "the current answer" wants: the running one,
    /// else the next queued one; nil when the session has nothing to answer.
    var activeTurnInSeq: Int64? { lifecycle.activeTurnInSeq }

    // MARK: Lifecycle

    func close() async throws {
        let (closed, stopTurn) = try refusing { () throws(SessionLifecycle.Refusal) in try lifecycle.close() }
        guard closed else { return }
        // The stopped turn still writes its `abort` and `data-turn-complete`: readers
        // get those, then their streams end, and the close hook runs after the turn's
        // onTurnComplete (`turnDidEnd`). Set before the commit below suspends: a
        // reader subscribing meanwhile must wait for those records, not end at once.
        if stopTurn { chatCloseHookPending = true }
        if stopTurn { turn?.stop(reason: .close) }
        deferredWork.cancelAll()
        try checkOwned()
        try await services.writer.append([], status: statusChange(.closed))
        services.changes?.note(chatId, [.status])
        if !stopTurn {
            finishReaders()
            notifyChatClosed()
        }
    }

    /// Ends every live reader's stream: the session is closed and nothing more comes.
    private func finishReaders() {
        for reader in subscribers.values { reader.finish() }
        subscribers.removeAll()
        // Readers on the other daemons of a cluster end too, after the records committed before this.
        if let cluster = services.cluster {
            let chatId = chatId
            Task { await cluster.announceClosed(chatId) }
        }
    }

    /// The change to commit for a new status (the lifecycle holds the status
    /// itself; the row keeps the time of the change).
    private func statusChange(_ status: SessionStatus) -> StatusChange {
        row.updatedAt = Date()
        return StatusChange(chatId: chatId, status: status, at: row.updatedAt)
    }

    private func commit(_ status: SessionStatus?) async throws {
        guard let status else { return }
        try checkOwned()
        try await services.writer.append([], status: statusChange(status))
        services.changes?.note(chatId, [.status])
    }

    /// Tells the session change feed what a commit changed: the status, or
    /// the latest message (a message input, or the end of a turn's answer).
    private func noteChanges(_ records: [LogRecord], bodies: [JSONValue], status: StatusChange?) {
        guard let changes = services.changes else { return }
        var changed: Set<SessionChangeFeed.Change> = status == nil ? [] : [.status]
        for (record, body) in zip(records, bodies) {
            switch record.kind {
            case .input where body["kind"] == .string(InputRecord.Kind.message.rawValue):
                changed.insert(.message)
            case .control where UIChunk(json: body)?.control?.isTurnComplete == true:
                changed.insert(.message)
            default:
                break
            }
        }
        changes.note(chatId, changed)
    }

    /// Stops everything this actor does for a session this daemon no longer
    /// owns: the running turn stops (its records are refused from now on),
    /// deferred work is cancelled, readers end as for a shutdown (they resume
    /// with `Last-Event-ID` wherever the session runs now).
    func fence() {
        fenced = true
        turn?.stop()
        deferredWork.cancelAll()
        stopReadersForShutdown()
    }

    private func checkOwned() throws {
        if fenced { throw SessionOwnedElsewhere(chatId: chatId) }
    }

    /// Starts inputs that were persisted but never answered (e.g. before a restart).
    func resumeQueuedInputs() {
        carryOut(lifecycle.resume())
    }

    private func checkInMemory() throws {
        if fenced { throw Evicted() }
        try refusing { () throws(SessionLifecycle.Refusal) in try lifecycle.checkInMemory() }
    }

    /// Runs a lifecycle event, turning its refusals into the errors callers handle.
    private func refusing<T>(_ body: () throws(SessionLifecycle.Refusal) -> T) throws -> T {
        do {
            return try body()
        } catch .evicted {
            throw Evicted()
        } catch .closed {
            throw AgentHostError.sessionClosed(chatId)
        } catch .busy {
            throw AgentHostError.conflict("the agent is busy answering, and this message's mode is `drop`: send it again when the turn is over")
        } catch .queueFull(let limit) {
            throw AgentHostError.queueFull(limit: limit)
        }
    }
}

// MARK: - Tool calls waiting for a person

extension Session {
    /// Checks an answer to waiting tool calls (approvals, client-side outputs)
    /// against the stored message, and marks what the host decides about the
    /// input: an answer that leaves calls waiting starts no turn; a user message
    /// sent instead of an answer closes the waiting calls. Client values of those
    /// fields are never trusted.
    /// - Throws: `AgentHostError` (4xx) for an answer that does not fit; nothing changes then.
    fileprivate func prepareToolAnswers(_ input: inout InputRecord) throws -> ToolAnswers.Verdict? {
        input.closesToolCalls = nil
        input.leavesCallsWaiting = nil
        guard input.kind == .message, !input.isRegenerate, let message = input.message else { return nil }
        let clientCallsWait = lifecycle.status == .awaitingInput
        guard input.isToolAnswer else {
            let waiting = clientCallsWait ? history.decoded { $0.messages.last }?.waitingToolCallIds(clientCallsWait: true) ?? [] : []
            if !waiting.isEmpty { input.closesToolCalls = waiting }
            return nil
        }
        let messages = history.decoded { $0.messages }
        let index = messages.lastIndex { $0.id == message.id }
        let verdict = try ToolAnswers.check(
            message, stored: index.map { messages[$0] }, isLatest: index == messages.count - 1, clientCallsWait: clientCallsWait
        )
        if case .accepted(completes: false) = verdict { input.leavesCallsWaiting = true }
        return verdict
    }

    /// Remembers whether the running turn's response ends with `finish` `tool-calls`.
    fileprivate func noteToolCallsEnding(_ entries: [LogEntry]) {
        for entry in entries where entry.kind == .output && entry.body["type"] == "finish" {
            responseEndedForToolCalls = entry.body["finishReason"] == .string(FinishReason.toolCalls.rawValue)
        }
    }

    /// The turn that just ended left calls waiting for a person: its response
    /// ended for tool calls, and its message holds calls without a result.
    fileprivate func turnEndsAwaitingInput() -> Bool {
        defer { responseEndedForToolCalls = false }
        guard responseEndedForToolCalls, let last = history.decoded({ $0.messages.last }), last.role == "assistant" else { return false }
        return !last.waitingToolCallIds(clientCallsWait: true).isEmpty
    }

    /// The `start` message id of the turn answering input `inSeq`: the answered
    /// message's own for an answer that continues it, else a new one.
    func responseMessageId(inSeq: Int64) -> String {
        let input = history.pendingInputs.first { $0.seq == inSeq }?.input
        return input?.continuedMessageId ?? TurnRunner.messageId(chatId: chatId, inSeq: inSeq)
    }
}

extension InputRecord {
    /// The assistant message a tool answer continues; nil for any other input.
    var continuedMessageId: String? { isToolAnswer ? message?.id : nil }
}

// MARK: - The session as its turns see it

extension Session: TurnLog {
    func turnWillRun() async throws {
        try await commit(lifecycle.turnWillRun())
        await hooksBeforeTurns.wait()
    }

    func turnDidEnd() async {
        turn = nil
        // Fenced: the session's new owner resumes the turn from the log.
        if fenced { return }
        // Before the next turn starts: it waits for this work's results.
        startDeferredWork()
        saveSnapshot(ifRecordsSinceLast: max(Self.snapshotInterval, snapshotSeq / 16))
        let (status, next) = turnEndsAwaitingInput() ? lifecycle.turnEndedAwaitingInput() : lifecycle.turnEnded()
        do {
            try await commit(status)
        } catch {
            services.logger.error("cannot persist session status", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
        carryOut(next)
        if chatCloseHookPending {
            chatCloseHookPending = false
            finishReaders()
            notifyChatClosed()
        }
    }

    /// The turn could not store its records: live readers hear that its answer
    /// ended with a storage error, and the turn waits, cut off as by a crash,
    /// until storage takes writes again; then it resumes from its checkpoint
    /// (`interrupted`, as after a restart). The status stays `running`, so a
    /// restart in the meantime resumes it too.
    func turnCutOff(by error: any Error) async {
        turn = nil
        if fenced { return }
        responseEndedForToolCalls = false
        announceCutOff(inSeq: lifecycle.runningInSeq, error)
        lifecycle.turnCutOff(checkpoint: history.turnInProgress)
        if chatCloseHookPending {
            chatCloseHookPending = false
            finishReaders()
            notifyChatClosed()
            return
        }
        let storage = services.storage
        Task {
            await storage.waitUntilWritable()
            await self.resumeQueuedInputs()
        }
    }

    /// Offers live readers — never the log, which takes no writes — the end of
    /// the cut-off turn's answer: an `error` and the `data-turn-complete` of
    /// input `inSeq`, both notices carrying the last stored seq.
    private func announceCutOff(inSeq: Int64?, _ error: any Error) {
        guard let inSeq, cutOffAnnouncedAt != lastPublished else { return }
        cutOffAnnouncedAt = lastPublished
        let text = "This answer could not be saved, so it stopped here (\(error)). "
            + "It resumes by itself once the daemon's storage takes writes again."
        let entries: [LogEntry] = [.output(.error(errorText: text)), .control(.turnComplete(inSeq: inSeq))]
        publish(entries.map { entry in
            var notice = LogRecord(chatId: chatId, seq: lastPublished, kind: entry.kind, body: entry.body.jsonText)
            notice.isNotice = true
            return notice
        })
    }

    var turnContext: TurnContext {
        let checkpoint = history.turnInProgress
        let number = checkpoint?.number ?? history.turnsStarted
        return TurnContext(
            reason: checkpoint?.reason ?? .submit, number: number,
            messageId: history.decoded { $0.messages.last { $0.role == "user" }?.id },
            clientData: clientData,
            usageBefore: checkpoint?.usageBefore,
            chatStartPending: !history.chatStartRecorded && number == 1
        )
    }

    var turnSummary: TurnSummary {
        let last = history.decoded { $0.messages.last }
        return TurnSummary(
            response: last?.role == "assistant" ? last : nil, checkpoint: history.turnInProgress, totalUsage: history.totalUsage
        )
    }

    var agentState: (state: JSONValue, version: String)? { history.agentState }

    func pendingAction(inSeq: Int64) -> PendingAction? {
        guard let input = history.pendingInputs.first(where: { $0.seq == inSeq })?.input, input.kind == .action else { return nil }
        return PendingAction(
            action: input.action, clientData: JSONValue.mergingClientData(creationClientData, input.metadata),
            messages: conversation
        )
    }

    /// The running turn's clientData: the session's creation clientData with the
    /// input's `metadata` merged over it, as `run` and the hooks see it.
    var clientData: JSONValue? { JSONValue.mergingClientData(creationClientData, history.turnInProgress?.metadata) }

    var modelConversation: [ModelMessage] { history.decoded { $0.modelConversation() } }

    var compactionPoint: (messageCount: Int, lastSeq: Int64) { (history.decoded { $0.messages.count }, lastPublished) }

    var runningAnswer: RunningAnswer? { history.decoded { $0.runningAnswer() } }

    /// How far the running turn got, from the log: the checkpoint to continue from.
    var checkpoint: TurnCheckpoint? { history.turnInProgress }

    /// The conversation the agent sees for the turn that just started: the
    /// answer in progress is included only when it has content (a resumed turn).
    var conversation: [UIMessage] {
        var messages = history.decoded { $0.messages }
        if hasEmptyAnswer { messages.removeLast() }
        return messages
    }

    var conversationEnd: (count: Int, newest: UIMessage?) {
        let messages = history.decoded { $0.messages }
        let count = messages.count - (hasEmptyAnswer ? 1 : 0)
        return (count, count > 0 ? messages[count - 1] : nil)
    }

    /// The history ends in an answer that has only just started (`start`, no parts yet).
    private var hasEmptyAnswer: Bool {
        guard let last = history.decoded({ $0.messages.last }) else { return false }
        return last.role == "assistant" && last.parts.isEmpty
    }
}

extension SessionLifecycle.InputKind {
    /// The lifecycle's view of a client input.
    init(_ input: InputRecord) {
        switch input.kind {
        case .message where input.leavesCallsWaiting == true: self = .partialAnswer
        case .message, .action: self = .turn
        case .stop: self = .stop
        case .clearQueue: self = .clearQueue
        }
    }
}

// MARK: - Lifecycle hooks outside turns

extension Session {
    /// Calls the agent's `onChatClose`, in the background: a failure is logged.
    fileprivate func notifyChatClosed() {
        let (hooks, agent, chatId, clientData) = (services.turnServices.hooks, agent, chatId, creationClientData)
        Task { await hooks.notify(.onChatClose, agent: agent, chatId: chatId, clientData: clientData) }
    }

    /// Whether the session was closed (a closed session that leaves memory is not "suspended").
    var isClosed: Bool { lifecycle.status == .closed }
    var status: SessionStatus { lifecycle.status }


}

// MARK: - Messages that arrive while the agent is busy

extension Session {
    /// The steered inputs the running turn takes at this step boundary, with
    /// their messages, oldest first; the turn records each before the model's answer.
    func takeSteering() -> [(inSeq: Int64, message: UIMessage)] {
        let seqs = lifecycle.takeSteering()
        guard !seqs.isEmpty else { return [] }
        let pending = Dictionary(history.pendingInputs.map { ($0.seq, $0.input) }, uniquingKeysWith: { first, _ in first })
        return seqs.compactMap { seq in pending[seq]?.message.map { (inSeq: seq, message: $0) } }
    }

    /// What `input` does if the agent is busy: the client's `mode`, else the
    /// agent's `messageConcurrency`. Only a user's new message may steer or be
    /// superseded; answers, actions and regenerations always wait their turn.
    fileprivate func concurrencyMode(for input: InputRecord) async -> MessageConcurrency {
        guard input.kind == .message, !input.isRegenerate, input.message?.role == "user" else { return .queue }
        if let mode = input.mode { return mode }
        return await services.registry.activeManifest(of: agent)?.messageConcurrency ?? .queue
    }

    /// Waits out a debounce input's quiet window, then starts its turn if
    /// nothing newer took it over (the lifecycle decides).
    fileprivate func scheduleQuietWindow(inSeq: Int64, milliseconds: Int) {
        Task {
            try? await Task.sleep(for: .milliseconds(milliseconds))
            await self.quietWindowElapsed(inSeq: inSeq)
        }
    }

    private func quietWindowElapsed(inSeq: Int64) {
        carryOut(lifecycle.quietWindowElapsed(inSeq: inSeq))
    }
}

// MARK: - Injected context and deferred work

extension Session: ContextInjectionLog {
    /// Acknowledges model-only context: its record is durable when this returns.
    /// - Returns: The record's seq, the injection's id.
    func inject(_ text: String) async throws -> Int64 {
        lastActivity = .now
        let body = ContextInjections.injectionRecord(text: text)
        let record = LogRecord(chatId: chatId, seq: nextSeq(), kind: .state, body: body.jsonText)
        try await persist([record], bodies: [body])
        return record.seq
    }

    /// The injections waiting for a turn, oldest first; each is handed out once
    /// (the turn records where it placed them).
    func takeInjections() -> [(seq: Int64, text: String)] {
        let taken = history.injections.pendingInOrder.filter { !injectionsTaken.contains($0.seq) }
        injectionsTaken.formUnion(taken.map(\.seq))
        return taken
    }

    /// Records deferred work the running turn registered; it starts when the turn is over.
    func registerDeferral(id: String, timeoutSeconds: Double) async throws {
        deferredWork.known.insert(id)
        try await append([LogEntry(.state, ContextInjections.deferralRecord(id: id, timeoutSeconds: timeoutSeconds))])
    }

    /// Waits until the deferred work running now has recorded its results
    /// (each within its time limit); work a previous process registered and
    /// never finished is recorded as failed first.
    func awaitDeferredWork() async {
        await failOrphanedDeferrals()
        for task in deferredWork.running.values { await task.value }
    }

    /// Starts the registered work that waits for the turn to be over.
    private func startDeferredWork() {
        for deferral in history.injections.deferrals.values.sorted(by: { $0.id < $1.id })
        where deferredWork.known.contains(deferral.id) && deferredWork.running[deferral.id] == nil {
            let (agent, chatId, services) = (agent, chatId, services.turnServices)
            deferredWork.running[deferral.id] = Task {
                let outcome = await DeferredWork.run(deferral, agent: agent, chatId: chatId, services: services)
                await self.deferralEnded(deferral.id, outcome)
            }
        }
    }

    private func deferralEnded(_ id: String, _ outcome: DeferredWork.Outcome) async {
        do {
            try await append([LogEntry(.state, ContextInjections.deferralResultRecord(id: id, text: outcome.text, error: outcome.error))])
        } catch {
            services.logger.error("cannot record deferred work's result", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
        if let error = outcome.error {
            services.logger.warning("deferred work failed", metadata: ["chatId": "\(chatId)", "id": "\(id)", "error": "\(error)"])
        }
        deferredWork.running[id] = nil
    }

    /// Work the log shows registered and unfinished that no turn of this
    /// process registered: its closure was lost with the process that ran it
    /// (a restart). It is recorded as failed, never run again, so nothing is
    /// injected twice.
    private func failOrphanedDeferrals() async {
        let orphans = history.injections.deferrals.keys.filter { !deferredWork.known.contains($0) }.sorted()
        guard !orphans.isEmpty else { return }
        deferredWork.known.formUnion(orphans)
        let entries = orphans.map { id in
            LogEntry(.state, ContextInjections.deferralResultRecord(
                id: id, text: nil, error: "interrupted: the daemon stopped before the work finished"
            ))
        }
        do {
            try await append(entries)
        } catch {
            services.logger.error("cannot record interrupted deferred work", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
    }
}
