import AgentWire
import Foundation
import Logging

/// One chat: the single owner of its log, its input queue and its running turn.
///
/// Every record goes through `append`, which persists it (group commit) before
/// publishing it to subscribers, so a client can never have seen a chunk the
/// log does not hold. Inputs are answered one turn at a time, in order.
actor Session {
    let chatId: String
    let agent: String
    private let services: SessionServices
    private var row: SessionRow
    private var lastSeq: Int64
    private var lastPublished: Int64
    private var history: MessageHistory
    private var queue: [(seq: Int64, input: InputRecord)] = []
    /// A turn the log shows started but never completed: the daemon died during it.
    private var interrupted: TurnProgress?
    private var turn: TurnRunner.Handle?
    /// The input seq the running turn answers.
    private var runningInSeq: Int64?
    private var recentKeys: [String: Int64] = [:]
    private var subscribers: [UUID: AsyncStream<[LogRecord]>.Continuation] = [:]
    private var lastActivity = ContinuousClock.now
    /// Set once the directory dropped this actor; a newer one owns the chat then.
    private var evicted = false

    /// Thrown to callers holding an evicted actor; the directory retries with a fresh one.
    struct Evicted: Error {}

    init(row: SessionRow, records: [LogRecord], services: SessionServices) {
        self.chatId = row.chatId
        self.agent = row.agent
        self.row = row
        self.services = services
        self.history = MessageHistory(records: records)
        self.lastSeq = records.last?.seq ?? 0
        self.lastPublished = lastSeq
        self.queue = history.pendingInputs
        self.interrupted = history.turnInProgress
    }

    // MARK: Inputs

    /// Persists one client input and returns its seq. A repeated idempotency key
    /// returns the first seq and changes nothing.
    func submit(_ input: InputRecord, idempotencyKey: String?) async throws -> Int64 {
        guard !evicted else { throw Evicted() }
        lastActivity = .now
        if let key = idempotencyKey {
            if let seq = recentKeys[key] { return seq }
            if let seq = try await services.storage.inputSeq(chatId: chatId, idempotencyKey: key) {
                recentKeys[key] = seq
                return seq
            }
            // Another call with this key may have got here while we awaited.
            if let seq = recentKeys[key] { return seq }
        }
        guard row.status != .closed else { throw AgentHostError.sessionClosed(chatId) }
        let body = try WireCoding.encodeString(input)
        // Seq and key are claimed before the next suspension point, so a
        // concurrent retry with the same key finds them.
        let seq = nextSeq()
        if let key = idempotencyKey {
            // A cache in front of the storage lookup, bounded; storage stays the authority.
            if recentKeys.count >= 1024 { recentKeys.removeAll(keepingCapacity: true) }
            recentKeys[key] = seq
        }
        // An idle session answers at once: the turn is claimed now (before the
        // next suspension point) and its opening records share the input's
        // commit, so the first chunk is out as soon as the input is durable.
        let answersNow = input.startsTurn && turn == nil && queue.isEmpty && interrupted == nil
        var framing: [(kind: LogRecord.Kind, chunk: JSONValue)] = []
        var claimed: TurnRunner.Handle?
        if answersNow {
            let handle = TurnRunner.Handle(stopGracePeriod: services.stopGracePeriod)
            turn = handle
            runningInSeq = seq
            claimed = handle
            framing = TurnRunner.framing(chatId: chatId, inSeq: seq)
        }
        do {
            // The session is marked running in the same transaction as its input,
            // so after a crash every unanswered input belongs to a session that
            // recovery looks at.
            let status = input.startsTurn ? statusChange(to: .running) : nil
            var records = [LogRecord(chatId: chatId, seq: seq, kind: .input, body: body, idempotencyKey: idempotencyKey)]
            records += framing.map { LogRecord(chatId: chatId, seq: nextSeq(), kind: $0.kind, body: $0.chunk.jsonText) }
            let bodies: [JSONValue] = [(try? WireCoding.decode(JSONValue.self, from: body)) ?? .null] + framing.map(\.chunk)
            try await persist(records, bodies: bodies, status: status)
        } catch {
            if let key = idempotencyKey { recentKeys[key] = nil }
            if claimed != nil {
                turn = nil
                runningInSeq = nil
                startNextTurn()
            }
            throw error
        }
        if let claimed {
            turn = TurnRunner.start(session: self, origin: .framedInput(inSeq: seq), services: services, handle: claimed)
        } else if input.kind == .stop {
            turn?.stop()
        } else if input.startsTurn {
            queue.append((seq, input))
            startNextTurn()
        }
        return seq
    }

    // MARK: Output

    /// Appends output or control chunks of the running turn, in order.
    func append(_ chunks: [JSONValue], kind: LogRecord.Kind) async throws {
        try await append(chunks.map { (kind, $0) })
    }

    /// Appends records of several kinds in one commit, e.g. `turn-start` + `start`.
    func append(_ entries: [(kind: LogRecord.Kind, chunk: JSONValue)]) async throws {
        lastActivity = .now
        let records = entries.map { entry in
            LogRecord(chatId: chatId, seq: nextSeq(), kind: entry.kind, body: entry.chunk.jsonText)
        }
        try await persist(records, bodies: entries.map(\.chunk))
    }

    private func nextSeq() -> Int64 {
        lastSeq += 1
        return lastSeq
    }

    /// Commits, then applies and publishes. `bodies`, when given, are the decoded
    /// records, which spares decoding every chunk again on the hot path.
    private func persist(_ records: [LogRecord], bodies: [JSONValue]? = nil, status: StatusChange? = nil) async throws {
        try await services.writer.append(records, status: status)
        for (index, record) in records.enumerated() {
            if let bodies {
                history.apply(record, body: bodies[index])
            } else {
                history.apply(record)
            }
            lastPublished = max(lastPublished, record.seq)
        }
        // One batch per commit: a subscriber writes it to its socket in one go.
        let streamed = records.filter(\.isStreamed)
        if !streamed.isEmpty {
            for continuation in subscribers.values { continuation.yield(streamed) }
        }
    }

    /// Live record batches from now on, and the last seq already published.
    func subscribe() throws -> LiveSubscription {
        guard !evicted else { throw Evicted() }
        lastActivity = .now
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: [LogRecord].self)
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        if row.status == .closed {
            continuation.finish()
        } else {
            subscribers[id] = continuation
        }
        return LiveSubscription(records: stream, publishedThrough: lastPublished)
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
        lastActivity = .now
    }

    /// Marks the actor evicted when nothing needs it in memory: no turn running
    /// or waiting, no subscriber, no activity for `idleFor`. The log holds the rest.
    func evictIfIdle(idleFor: Duration) -> Bool {
        guard turn == nil, queue.isEmpty, interrupted == nil, subscribers.isEmpty,
              lastActivity.duration(to: .now) >= idleFor
        else { return false }
        evicted = true
        return true
    }

    var messages: (messages: [UIMessage], lastSeq: Int64) {
        (history.messages, lastPublished)
    }

    var info: SessionInfo {
        SessionInfo(
            chatId: chatId, agent: agent, status: row.status, generation: turn?.generationId, lastSeq: lastPublished,
            queuedInputs: queue.count, createdAt: row.createdAt, updatedAt: row.updatedAt,
            clientData: row.clientData, metadata: row.metadata
        )
    }

    /// The turn a client resuming "the current answer" wants: the running one,
    /// else the next queued one; nil when the session has nothing to answer.
    var activeTurnInSeq: Int64? { runningInSeq ?? queue.first?.seq }

    // MARK: Lifecycle

    func close() async throws {
        guard row.status != .closed else { return }
        queue.removeAll()
        turn?.stop()
        try await setStatus(.closed)
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    private func setStatus(_ status: SessionStatus) async throws {
        guard let change = statusChange(to: status) else { return }
        try await services.writer.append([], status: change)
    }

    /// Updates the in-memory row; the returned change is to be committed (nil: no change).
    private func statusChange(to status: SessionStatus) -> StatusChange? {
        guard row.status != status else { return nil }
        row.status = status
        row.updatedAt = Date()
        return StatusChange(chatId: chatId, status: status, at: row.updatedAt)
    }

    // MARK: Turns

    /// Starts inputs that were persisted but never answered (e.g. before a restart).
    func resumeQueuedInputs() {
        startNextTurn()
    }

    private func startNextTurn() {
        guard turn == nil, row.status != .closed else { return }
        if let progress = interrupted {
            interrupted = nil
            runningInSeq = progress.inSeq
            turn = TurnRunner.start(session: self, origin: .interrupted(progress), services: services)
        } else if !queue.isEmpty {
            let next = queue.removeFirst()
            runningInSeq = next.seq
            turn = TurnRunner.start(session: self, origin: .input(inSeq: next.seq), services: services)
        }
    }

    /// Called by the runner before it leases a generation.
    func turnWillRun() async throws {
        try await setStatus(.running)
    }

    /// Called by the runner once `data-turn-complete` is persisted.
    func turnDidEnd() async {
        turn = nil
        runningInSeq = nil
        if queue.isEmpty, interrupted == nil, row.status == .running {
            do {
                try await setStatus(.idle)
            } catch {
                services.logger.error("cannot persist session status", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
            }
        }
        startNextTurn()
    }

    var agentState: (state: JSONValue, version: String)? { history.agentState }

    /// How far the running turn got, from the log: the checkpoint to continue from.
    var turnProgress: TurnProgress? { history.turnInProgress }

    /// The conversation the agent sees for the turn that just started: the
    /// answer in progress is included only when it has content (a resumed turn).
    var conversation: [UIMessage] {
        var messages = history.messages
        if let last = messages.last, last.role == "assistant", last.parts.isEmpty { messages.removeLast() }
        return messages
    }
}
