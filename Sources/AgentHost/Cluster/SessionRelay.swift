import AgentWire
import Foundation

/// Sends writes for sessions another daemon owns to that owner, through the
/// database, and waits for its answer.
///
/// A request is a row (`session_requests`) announced by NOTIFY; the owner
/// answers in the row and announces that. The row outlives either daemon: if
/// the owner dies first, the session's next owner (`ClusterTakeover`) answers
/// it, and an input carries an idempotency key (the client's, else one made
/// from the request's id), so it is taken once whichever daemon answers.
actor SessionRelay {
    private let storage: PostgresStorage
    /// How long a client's request waits for an owner, a takeover included.
    let timeout: Duration
    private var waiters: [Int64: AsyncStream<Void>.Continuation] = [:]

    /// How often a waiting request reads its row even if no answer was announced.
    static let recheckInterval: Duration = .seconds(1)

    /// - Parameters:
    ///   - storage: The shared database.
    ///   - timeout: How long a request waits for an owner before it is a 503.
    init(storage: PostgresStorage, timeout: Duration) {
        self.storage = storage
        self.timeout = timeout
    }

    /// Hands `request` to the session's owner and returns its answer.
    /// - Parameters:
    ///   - request: The write.
    ///   - chatId: The session another daemon owns.
    /// - Throws: `AgentHostError.ownerUnavailable` when no owner answered within `timeout`.
    func forward(_ request: ClusterRequest, chatId: String) async throws -> ClusterReply {
        let id = try await storage.insertRequest(chatId: chatId, body: try WireCoding.encodeString(request))
        let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        waiters[id] = signal
        let ticker = Task {
            while (try? await Task.sleep(for: Self.recheckInterval)) != nil { signal.yield() }
        }
        defer {
            ticker.cancel()
            waiters[id] = nil
            signal.finish()
        }
        let deadline = ContinuousClock.now + timeout
        var wakeUps = signals.makeAsyncIterator()
        while true {
            if let reply = try await storage.requestReply(id: id) {
                return try WireCoding.decode(ClusterReply.self, from: reply)
            }
            guard ContinuousClock.now < deadline else {
                throw AgentHostError.ownerUnavailable(
                    "no daemon of the cluster answered for session `\(chatId)` within \(timeout); the write stays queued for the "
                        + "session's next owner, so retry with the same `Idempotency-Key`"
                )
            }
            _ = await wakeUps.next()
        }
    }

    /// The owner announced its answer to request `id`.
    func answered(_ id: Int64) {
        waiters[id]?.yield()
    }

    /// The announcements' connection was lost and is back: look at every waiting request.
    func recheckAll() {
        for waiter in waiters.values { waiter.yield() }
    }
}
