import AgentWire

extension AgentHostClient {
    /// How often ``follow(turn:chatId:onReconnect:onChunk:)`` reconnects in a row before it gives up.
    public static let maximumReconnects = 30

    /// Calls `onChunk` with every chunk of the turn answering input `inSeq`, in
    /// order, between its `turn-start` and its `turn-complete` control parts
    /// (neither included). A dropped connection, or a daemon that restarts, is
    /// resumed with `Last-Event-ID`: nothing is missed or delivered twice. Returns
    /// at the turn's end, or when the daemon ends the stream (the session closed).
    /// A client holding a public token that nears expiry gets a fresh one in
    /// band (`data-token`): reconnects use it, and `onToken` hands it on for
    /// later requests (`using(token:)`).
    /// - Parameters:
    ///   - inSeq: The seq of the input the turn answers.
    ///   - chatId: The session's id.
    ///   - onReconnect: Told the last seq seen before each reconnect.
    ///   - onToken: Told each fresh token the daemon sent this reader.
    ///   - onChunk: Each chunk of the turn.
    public func follow(
        turn inSeq: Int64, chatId: String, onReconnect: @Sendable (Int64) -> Void = { _ in },
        onToken: (String) -> Void = { _ in }, onChunk: (UIChunk) -> Void
    ) async throws {
        var lastEventId = inSeq
        var started = false
        /// The last chunk before a start, when an `error`: a failed action's.
        var unframedError: UIChunk?
        var failures = 0
        var client = self
        while true {
            do {
                for try await event in try await client.output(chatId, after: lastEventId) {
                    failures = 0
                    lastEventId = event.id
                    if let token = event.refreshedToken {
                        client = client.using(token: token)
                        onToken(token)
                        continue
                    }
                    guard let chunk = event.chunk else { continue }
                    switch chunk.control {
                    case .turnStart(inSeq):
                        started = true
                    case .turnComplete(inSeq):
                        // Also without a start: an action that no turn answered ends here,
                        // right after the `error` of a handler that failed (same commit).
                        if !started, let failed = unframedError { onChunk(failed) }
                        return
                    case .historyChanged(inSeq, _):
                        onChunk(chunk)
                    case .turnStart, .turnComplete:
                        continue
                    default:
                        if started { onChunk(chunk) } else if case .error = chunk { unframedError = chunk } else { unframedError = nil }
                    }
                }
                // A clean end: the session was closed.
                return
            } catch let error as AgentHostClientError where error.isRefusal {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures += 1
                guard failures <= Self.maximumReconnects else { throw error }
                onReconnect(lastEventId)
                try await Task.sleep(for: .milliseconds(min(4000, 250 << min(failures - 1, 4))))
            }
        }
    }
}
