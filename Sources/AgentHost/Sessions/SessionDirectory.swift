import AgentWire
import Foundation
import Logging
import Synchronization

/// All sessions: creates them, and finds the one live actor per chat, loading
/// it from the log when it is not in memory.
public actor SessionDirectory {
    let services: SessionServices
    var live: [String: Session] = [:]
    private var loading: [String: Task<Session, any Error>] = [:]
    /// Per chat, the last `onSuspend`/`onResume` call: the next one runs after it,
    /// so a session that leaves memory and comes straight back hears them in order.
    private let hookCalls = SerialTasks()
    /// On a cluster: ownership locks being given up for sessions that left
    /// memory. A session loading again waits for its release first, or the
    /// release would let go of the lock the new load just took.
    private let releases = SerialTasks()
    /// On a cluster: per chat, the servings of relayed requests, in order.
    let relayServings = SerialTasks()

    /// The push feed of session changes: sessions note theirs here.
    public nonisolated let changes: SessionChangeFeed
    /// Set once a graceful shutdown began (`GracefulShutdown`): `/healthz` answers 503 then.
    nonisolated let shuttingDown = Atomic<Bool>(false)

    /// - Parameters:
    ///   - services: What sessions need; a change feed is made for them unless `services.changes` holds one.
    init(services: SessionServices) {
        var services = services
        let changes = services.changes ?? SessionChangeFeed(storage: services.storage, logger: services.logger)
        services.changes = changes
        self.services = services
        self.changes = changes
    }

    /// Create-or-get on chatId. Refuses unknown agents and closed sessions.
    /// - Parameters:
    ///   - parent: For a sub-agent's session: the calling session and tool call.
    public func create(
        chatId: String, agent: String, clientData: String?, metadata: String?,
        parent: (chatId: String, toolCallId: String?)? = nil
    ) async throws -> (row: SessionRow, created: Bool) {
        guard !chatId.isEmpty, chatId.count <= 256 else { throw AgentHostError.badRequest("`chatId` must be 1 to 256 characters") }
        guard await services.registry.hasAgent(agent) else { throw AgentHostError.unknownAgent(agent) }
        let result = try await services.storage.createSession(
            SessionRow(
                chatId: chatId, agent: agent, clientData: clientData, metadata: metadata,
                parentChatId: parent?.chatId, toolCallId: parent?.toolCallId
            )
        )
        if !result.created {
            guard result.row.status != .closed else {
                throw AgentHostError.conflict("session `\(chatId)` is closed and cannot be re-created")
            }
            guard result.row.agent == agent else {
                throw AgentHostError.conflict("session `\(chatId)` belongs to agent `\(result.row.agent)`")
            }
        } else {
            changes.note(chatId, [.created])
        }
        return result
    }

    /// The live session actor, loaded from storage if needed.
    func session(_ chatId: String) async throws -> Session {
        var failedLoad: Task<Session, any Error>?
        while let task = loading[chatId], task != failedLoad {
            if let session = live[chatId] { return session }
            do {
                return try await task.value
            } catch AgentHostError.notFound where failedLoad == nil {
                // That load read storage before this caller's session was created
                // (a reader polling for a sub-agent's child while the call creates
                // it): load again rather than answer "no session" for one that exists.
                failedLoad = task
            }
        }
        if let session = live[chatId] { return session }
        let services = services
        let release = releases.last(chatId)
        let task = Task<Session, any Error> {
            // A woken session resumes its unanswered turn at once; before the
            // start-up builds are loaded its agent would be unknown.
            await services.registry.startup.wait()
            guard let row = try await services.storage.session(chatId: chatId) else {
                throw AgentHostError.notFound("no session `\(chatId)`")
            }
            // One daemon runs a session: on a cluster, the one holding its lock.
            await release?.value
            guard try await services.ownership.claim(chatId) else { throw SessionOwnedElsewhere(chatId: chatId) }
            do {
                return try await Self.wake(row: row, services: services)
            } catch {
                await services.ownership.giveUp(chatId)
                throw error
            }
        }
        loading[chatId] = task
        // Only its own: a caller that reloaded after this load failed may have put its load here.
        defer { if loading[chatId] == task { loading[chatId] = nil } }
        let session = try await task.value
        live[chatId] = session
        // Set before anything can reach the session: its first turn waits for it.
        if session.wokeWithHistory { session.hooksBeforeTurns.hold(chainHook(.onResume, for: session)) }
        await session.resumeQueuedInputs()
        return session
    }

    /// Rebuilds a session from storage: its latest history snapshot, then only
    /// the records after it. The snapshot's messages stay encoded until the
    /// session reads them (`SessionHistory`). A snapshot that cannot be read
    /// (written by another version, damaged) is skipped, and the whole log is
    /// folded instead.
    static func wake(row: SessionRow, services: SessionServices) async throws -> Session {
        let chatId = row.chatId
        var logger = services.logger
        logger[metadataKey: "chatId"] = "\(chatId)"
        var base: (rest: MessageHistory.Snapshot, messages: UIMessage.EncodedArray)?
        if let stored = try await services.storage.snapshot(chatId: chatId) {
            do {
                base = try stored.encodedHistory()
            } catch {
                logger.warning("ignoring an unreadable history snapshot", metadata: ["error": "\(error)"])
            }
        }
        let after = base?.rest.throughSeq ?? 0
        let records = try await services.storage.records(chatId: chatId, after: after, upTo: nil)
        let history = base.map { SessionHistory(snapshot: $0.rest, messages: $0.messages, records: records, logger: logger) }
            ?? SessionHistory(MessageHistory(records: records), logger: logger)
        return Session(
            row: row, history: history, lastSeq: records.last?.seq ?? after, snapshotSeq: after, services: services
        )
    }

    /// Runs `body` on the chat's live actor; if that actor was evicted meanwhile,
    /// loads a fresh one from the log and runs `body` again.
    func withSession<T: Sendable>(_ chatId: String, _ body: (Session) async throws -> T) async throws -> T {
        while true {
            let session = try await session(chatId)
            do {
                return try await body(session)
            } catch is Session.Evicted {
                if live[chatId] === session { live[chatId] = nil }
            }
        }
    }

    public func info(_ chatId: String) async throws -> SessionInfo {
        var info = try await view(chatId).info
        info.children = try await services.storage.children(of: chatId).map {
            SessionInfo.Child(chatId: $0.chatId, agent: $0.agent, status: $0.status, toolCallId: $0.toolCallId)
        }
        return info
    }

    /// Drops idle sessions from memory; they are rebuilt from the log on next use.
    @discardableResult
    public func evictIdle(idleFor: Duration) async -> Int {
        var evicted = 0
        for (chatId, session) in live where await session.evictIfIdle(idleFor: idleFor) {
            if live[chatId] === session {
                live[chatId] = nil
                evicted += 1
                giveUpOwnership(chatId)
            }
            if !(await session.isClosed) { _ = chainHook(.onSuspend, for: session) }
        }
        return evicted
    }

    /// Ends the streams of every reader of a session in memory: the daemon stops,
    /// and open SSE responses must not hold its shutdown (they reconnect).
    public func stopReadersForShutdown() async {
        for session in live.values { await session.stopReadersForShutdown() }
        await services.cluster?.tails.stopReadersForShutdown()
        await changes.stopForShutdown()
    }

    /// On a cluster: lets another daemon own a session that left memory.
    private func giveUpOwnership(_ chatId: String) {
        guard services.cluster != nil else { return }
        let ownership = services.ownership
        releases.enqueue(chatId) { await ownership.giveUp(chatId) }
    }

    /// Calls `hook` for the session once the chat's previous suspend/resume hook is over.
    private func chainHook(_ hook: LifecycleHook, for session: Session) -> Task<Void, Never> {
        let chatId = session.chatId
        let hooks = services.turnServices.hooks
        let (agent, clientData) = (session.agent, session.creationClientData)
        return hookCalls.enqueue(chatId) { await hooks.notify(hook, agent: agent, chatId: chatId, clientData: clientData) }
    }

    public var liveCount: Int { live.count }

    /// The status of every session in memory, for `/metrics`.
    var liveStatuses: [SessionStatus] {
        get async {
            var statuses: [SessionStatus] = []
            for session in live.values { statuses.append(await session.status) }
            return statuses
        }
    }

    /// How many sessions in memory are running a turn now.
    var runningTurns: Int {
        get async { await liveStatuses.count(where: { $0 == .running }) }
    }

    /// Where the daemon's turns, model requests and tool calls are counted.
    nonisolated var metrics: HostMetrics { services.metrics }

    /// After a crash: loads every session that was running, which resumes its
    /// interrupted turn and answers its queued inputs (once the start-up builds
    /// are loaded: waking waits for them).
    public func recoverInterruptedSessions() async throws -> Int {
        var recovered = 0
        var after: Int64?
        while true {
            let page = try await services.storage.listSessions(agent: nil, status: .running, limit: 200, after: after)
            for row in page {
                do {
                    _ = try await session(row.chatId)
                    recovered += 1
                } catch is SessionOwnedElsewhere {
                    // Another daemon of the cluster runs it.
                }
            }
            guard page.count == 200, let last = page.last?.id else { return recovered }
            after = last
        }
    }

    public func list(agent: String?, status: SessionStatus?, limit: Int, after: Int64?) async throws -> [SessionRow] {
        try await services.storage.listSessions(agent: agent, status: status, limit: limit, after: after)
    }

    /// The rows as the session list shows them, each with its latest message.
    /// - Parameters:
    ///   - rows: Sessions from `list`.
    public func summaries(of rows: [SessionRow]) async throws -> [SessionSummary] {
        var summaries: [SessionSummary] = []
        for row in rows { summaries.append(try await SessionSummary.load(row, storage: services.storage)) }
        return summaries
    }
}
