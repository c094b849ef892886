import AgentWire
import Foundation
import Logging
import Synchronization

/// The daemon's push feed of session changes (`GET /api/v1/session-events`,
/// and the playground's `GET /playground/v1/session-events`): an event
/// whenever a session is created, changes status (`idle`, `running`,
/// `awaiting-input`, `closed`), or gets a new message. Each event carries the
/// session as the session list shows it (`SessionSummary`), read from storage
/// after the change was committed, so a client upserts it by `chatId`.
///
/// Sessions note their changes (`note`, from any context, never waiting); one
/// drain at a time reads the changed sessions and publishes an event per
/// session, so changes that come in a burst are coalesced into one event per
/// session and events of one session are in commit order.
///
/// No gap between a list and the feed: events are numbered (`Cursor`, the SSE
/// `id:`), the last `recentLimit` are kept, and a subscriber that names a
/// cursor (`Last-Event-ID`, or the list's `feedCursor`) gets every event after
/// it. A subscriber without one, or with one this run no longer holds, gets a
/// `reset` event first: list the sessions after it, then apply what follows.
///
/// Each subscriber reads from a buffer of at most `subscriberLimit` events; one
/// that falls that far behind is disconnected (`FellBehind`) and resumes from
/// its last event id, as `LiveBuffer` does for a session's stream.
///
/// The feed carries the changes this daemon makes; with a PostgreSQL cluster,
/// each daemon's feed carries the sessions it runs.
public actor SessionChangeFeed {
    /// What changed about a session. An event names every change that a
    /// coalesced burst held.
    public enum Change: String, Codable, Sendable, Comparable {
        case created
        case status
        /// A user message was stored, or a turn's answer ended.
        case message

        public static func < (lhs: Change, rhs: Change) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// An event's place in the feed: this run of the daemon and the event's
    /// number in it, written `<run>-<number>`.
    struct Cursor: Hashable, Sendable, CustomStringConvertible {
        let run: String
        let number: Int64

        init(run: String, number: Int64) {
            self.run = run
            self.number = number
        }

        /// Reads `text` as a cursor; nil for anything else.
        init?(_ text: String) {
            guard let dash = text.lastIndex(of: "-"), let number = Int64(text[text.index(after: dash)...]), number >= 0 else { return nil }
            run = String(text[..<dash])
            self.number = number
        }

        var description: String { "\(run)-\(number)" }
    }

    /// What a subscriber reads.
    enum Delivery: Sendable, Hashable {
        /// One event: its cursor (the SSE `id:`) and its JSON text.
        case event(id: String, data: String)
        /// The heartbeat ticked: time for a keep-alive.
        case idle
    }

    /// The subscriber fell `limit` events behind and was disconnected.
    struct FellBehind: Error, Hashable {
        let limit: Int
    }

    /// A `session` event's JSON.
    private struct SessionEvent: Encodable {
        let type = "session"
        let changes: [Change]
        let session: SessionSummary
    }

    /// A `reset` event's JSON: the subscriber's view may be stale; list again.
    private struct ResetEvent: Encodable {
        let type = "reset"
    }

    private struct Pending {
        var changes: [String: Set<Change>] = [:]
        /// Chats in the order their first pending change came.
        var order: [String] = []
        var draining = false
    }

    private struct Subscriber {
        let continuation: AsyncThrowingStream<Delivery, any Error>.Continuation
        let ticker: Task<Void, Never>
    }

    /// This run's id: cursors of another run (the daemon restarted) get a `reset`.
    nonisolated let run: String
    private let storage: any SessionStorage
    private let logger: Logger
    private let recentLimit: Int
    private let subscriberLimit: Int
    private let heartbeat: Duration
    private let pending = Mutex(Pending())
    private let forwarder = Mutex<(@Sendable (String, Set<Change>) -> Void)?>(nil)
    private var number: Int64 = 0
    /// The last `recentLimit` events, oldest first.
    private var recent: [(number: Int64, data: String)] = []
    private var subscribers: [UUID: Subscriber] = [:]
    private var stopped = false

    /// - Parameters:
    ///   - storage: Where a changed session's row and log are read.
    ///   - logger: Where a session that cannot be read is reported.
    ///   - recentLimit: How many past events a reconnecting subscriber can resume from.
    ///   - subscriberLimit: How many events a subscriber may have unread before it is disconnected.
    ///   - heartbeat: How often an idle subscriber is woken for a keep-alive.
    init(
        storage: any SessionStorage, logger: Logger, recentLimit: Int = 1024, subscriberLimit: Int = 1024,
        heartbeat: Duration = .seconds(15)
    ) {
        self.storage = storage
        self.logger = logger
        self.recentLimit = max(1, recentLimit)
        self.subscriberLimit = max(1, subscriberLimit)
        self.heartbeat = heartbeat
        run = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8)).lowercased()
    }

    /// Records that `chatId` changed; its event follows once the drain reads it.
    /// Call after the change is committed.
    /// - Parameters:
    ///   - chatId: The session.
    ///   - changes: What changed; nothing is noted for an empty set.
    nonisolated func note(_ chatId: String, _ changes: Set<Change>) {
        guard !changes.isEmpty else { return }
        noteFromAnywhere(chatId, changes)
        forwarder.withLock { $0 }?(chatId, changes)
    }

    /// Where this daemon's own changes also go: on a cluster, to the other
    /// daemons' feeds (`ClusterLink.announceChanges`).
    /// - Parameters:
    ///   - forward: Called with every change noted here, after it is noted.
    nonisolated func forwardChanges(_ forward: @escaping @Sendable (String, Set<Change>) -> Void) {
        forwarder.withLock { $0 = forward }
    }

    /// Records a change another daemon of the cluster made (not forwarded again).
    /// - Parameters:
    ///   - chatId: The session.
    ///   - changes: What changed there.
    nonisolated func noteFromAnywhere(_ chatId: String, _ changes: Set<Change>) {
        guard !changes.isEmpty else { return }
        let startDrain = pending.withLock { pending -> Bool in
            if pending.changes[chatId] == nil { pending.order.append(chatId) }
            pending.changes[chatId, default: []].formUnion(changes)
            defer { pending.draining = true }
            return !pending.draining
        }
        if startDrain { Task { await self.drain() } }
    }

    /// The cursor of the latest event: a list read after taking it misses
    /// nothing that a subscription from it then brings.
    var cursor: String { Cursor(run: run, number: number).description }

    /// Publishes an event for every noted session until none is pending.
    private func drain() async {
        while let batch = takePending() {
            for (chatId, changes) in batch {
                do {
                    guard let row = try await storage.session(chatId: chatId) else { continue }
                    publish(SessionEvent(changes: changes.sorted(), session: try await SessionSummary.load(row, storage: storage)))
                } catch {
                    logger.warning("cannot read a changed session for the change feed", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
                }
            }
        }
    }

    /// The pending changes in the order they came, or nil (and the drain ends) when there are none.
    private nonisolated func takePending() -> [(String, Set<Change>)]? {
        pending.withLock { pending in
            guard !pending.order.isEmpty else {
                pending.draining = false
                return nil
            }
            defer { pending = Pending(draining: true) }
            return pending.order.compactMap { chatId in pending.changes[chatId].map { (chatId, $0) } }
        }
    }

    private func publish(_ event: some Encodable) {
        guard let data = try? WireCoding.encodeString(event) else { return }
        number += 1
        recent.append((number, data))
        if recent.count > recentLimit { recent.removeFirst(recent.count - recentLimit) }
        let id = Cursor(run: run, number: number).description
        for (subscriber, _) in subscribers { deliver(.event(id: id, data: data), to: subscriber) }
    }

    /// Hands `delivery` to a subscriber; disconnects one whose buffer is full.
    private func deliver(_ delivery: Delivery, to id: UUID) {
        guard let subscriber = subscribers[id] else { return }
        switch subscriber.continuation.yield(delivery) {
        case .enqueued:
            break
        case .dropped:
            logger.notice("dropped a session-feed reader that fell behind", metadata: ["limit": "\(subscriberLimit)"])
            subscriber.continuation.finish(throwing: FellBehind(limit: subscriberLimit))
            forget(id)
        case .terminated:
            forget(id)
        @unknown default:
            forget(id)
        }
    }

    /// The events after `after` (a cursor from this feed), then every new one,
    /// with `.idle` every heartbeat while none comes. Starts with a `reset`
    /// event when `after` is nil or names events this run no longer holds.
    /// - Parameters:
    ///   - after: The last cursor the subscriber has, if any.
    func subscribe(after: String?) -> AsyncThrowingStream<Delivery, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Delivery.self, bufferingPolicy: .bufferingOldest(subscriberLimit))
        guard !stopped else {
            continuation.finish(throwing: LiveBuffer.DaemonStopping())
            return stream
        }
        let id = UUID()
        let ticker = Task { [heartbeat] in
            while (try? await Task.sleep(for: heartbeat)) != nil { await self.deliver(.idle, to: id) }
        }
        subscribers[id] = Subscriber(continuation: continuation, ticker: ticker)
        continuation.onTermination = { _ in Task { await self.forget(id) } }
        let oldestHeld = (recent.first?.number ?? number + 1) - 1
        if let cursor = after.flatMap(Cursor.init), cursor.run == run, (oldestHeld...number).contains(cursor.number) {
            for event in recent where event.number > cursor.number {
                deliver(.event(id: Cursor(run: run, number: event.number).description, data: event.data), to: id)
            }
        } else if let data = try? WireCoding.encodeString(ResetEvent()) {
            deliver(.event(id: cursor, data: data), to: id)
        }
        return stream
    }

    private func forget(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.ticker.cancel()
    }

    /// How many subscribers read the feed now.
    var subscriberCount: Int { subscribers.count }

    /// Ends every subscriber's stream with `DaemonStopping` (they reconnect to
    /// the next run) and takes no new ones: the daemon is shutting down.
    func stopForShutdown() {
        stopped = true
        for (id, subscriber) in subscribers {
            subscriber.continuation.finish(throwing: LiveBuffer.DaemonStopping())
            forget(id)
        }
    }
}
