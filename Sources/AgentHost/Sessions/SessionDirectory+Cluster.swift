import AgentWire
import Foundation

/// What the routes ask of a session, wherever it runs: on a cluster, writes
/// for a session another daemon owns are relayed to it, and reads come from the
/// database. On a single daemon every session is this daemon's.
extension SessionDirectory {
    /// Takes a client input (`POST …/in`).
    /// - Parameters:
    ///   - chatId: The session.
    ///   - input: The validated input.
    ///   - idempotencyKey: The client's `Idempotency-Key`, if any.
    func accept(chatId: String, input: InputRecord, idempotencyKey: String?) async throws -> Session.Submission {
        do {
            return try await withSession(chatId) { try await $0.accept(input, idempotencyKey: idempotencyKey) }
        } catch let elsewhere as SessionOwnedElsewhere {
            return try await relay(.input(input, idempotencyKey: idempotencyKey), elsewhere)
        }
    }

    /// Subscribes to the session's live records, then takes the input: the
    /// answer is then either in storage or on the subscription (the AI SDK route).
    func acceptFollowing(chatId: String, input: InputRecord, idempotencyKey: String?) async throws -> (Session.Submission, LiveSubscription) {
        do {
            return try await withSession(chatId) { session in
                let subscription = try await session.subscribe()
                return (try await session.accept(input, idempotencyKey: idempotencyKey), subscription)
            }
        } catch let elsewhere as SessionOwnedElsewhere {
            let subscription = try await remoteTails(elsewhere).subscribe(chatId)
            return (try await relay(.input(input, idempotencyKey: idempotencyKey), elsewhere), subscription)
        }
    }

    /// The session's live records from now on (`…/out`).
    func subscribe(chatId: String) async throws -> LiveSubscription {
        do {
            return try await withSession(chatId) { try await $0.subscribe() }
        } catch let elsewhere as SessionOwnedElsewhere {
            // A closed session's stream is what is stored, then its end.
            if try await services.storage.session(chatId: chatId)?.status == .closed {
                return LiveSubscription(records: .finished(), publishedThrough: try await services.storage.lastSeq(chatId: chatId))
            }
            return try await remoteTails(elsewhere).subscribe(chatId)
        }
    }

    /// Closes the session (`POST /api/v1/sessions/{chatId}/close`).
    func close(chatId: String) async throws {
        do {
            try await withSession(chatId) { try await $0.close() }
        } catch let elsewhere as SessionOwnedElsewhere {
            _ = try await relay(.close, elsewhere)
        }
    }

    /// The session to read: the live one when this daemon owns it, else one
    /// folded from the database that runs nothing (its history, status and
    /// active turn as the owner last committed them).
    func view(_ chatId: String) async throws -> Session {
        do {
            return try await session(chatId)
        } catch is SessionOwnedElsewhere {
            guard let row = try await services.storage.session(chatId: chatId) else {
                throw AgentHostError.notFound("no session `\(chatId)`")
            }
            return try await Self.wake(row: row, services: services)
        }
    }

    /// This daemon's ownership locks are gone (their connection broke): every
    /// session in memory stops and leaves it; the next use of one loads it
    /// again if this daemon can take it, or relays to the daemon that did.
    func ownershipLost() async {
        let sessions = live
        live.removeAll()
        for session in sessions.values { await session.fence() }
    }

    // MARK: Serving relayed writes

    /// Answers the session's relayed requests if this daemon owns the session
    /// or can take it; does nothing when another daemon owns it (that daemon
    /// answers). Runs after the chat's previous serving, so requests are taken
    /// in the order they were made.
    func serveRelayedRequests(_ chatId: String) {
        guard services.cluster != nil else { return }
        relayServings.enqueue(chatId) { await self.answerPendingRequests(chatId) }
    }

    private func answerPendingRequests(_ chatId: String) async {
        guard let cluster = services.cluster else { return }
        do {
            // Takes the session when its owner is gone: it resumes a cut-off turn as a restart would.
            _ = try await session(chatId)
            for request in try await cluster.storage.pendingRequests(chatId: chatId) {
                let reply = await answer(request, chatId: chatId)
                try await cluster.storage.answerRequest(id: request.id, reply: try WireCoding.encodeString(reply))
            }
        } catch is SessionOwnedElsewhere {
            // The owner answers.
        } catch {
            cluster.logger.warning("could not answer relayed requests", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
    }

    private func answer(_ request: PendingClusterRequest, chatId: String) async -> ClusterReply {
        do {
            switch try WireCoding.decode(ClusterRequest.self, from: request.body) {
            case .input(let input, let key):
                // Without the client's key, the request's own: a request answered
                // by an owner that died before recording the answer is taken once.
                let submission = try await withSession(chatId) {
                    try await $0.accept(input, idempotencyKey: key ?? "cluster-request-\(request.id)")
                }
                return .accepted(seq: submission.seq, startsTurn: submission.startsTurn, cleared: submission.cleared)
            case .close:
                try await withSession(chatId) { try await $0.close() }
                return .closed
            }
        } catch {
            return .failed(ErrorResponse.classify(error))
        }
    }

    // MARK: Helpers

    private func relay(_ request: ClusterRequest, _ elsewhere: SessionOwnedElsewhere) async throws -> Session.Submission {
        guard let cluster = services.cluster else { throw elsewhere }
        switch try await cluster.relay.forward(request, chatId: elsewhere.chatId) {
        case .accepted(let seq, let startsTurn, let cleared):
            return Session.Submission(seq: seq, startsTurn: startsTurn, cleared: cleared)
        case .closed:
            return Session.Submission(seq: 0, startsTurn: false)
        case .failed(let error):
            throw error
        }
    }

    private func remoteTails(_ elsewhere: SessionOwnedElsewhere) throws -> RemoteSessionTails {
        guard let cluster = services.cluster else { throw elsewhere }
        return cluster.tails
    }
}
