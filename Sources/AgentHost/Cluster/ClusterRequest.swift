/// A write one daemon asks of the daemon that owns the session, through the
/// database (`session_requests`): the owner alone gives seqs and runs turns.
enum ClusterRequest: Codable, Sendable, Hashable {
    /// An input as `POST …/in` takes it.
    case input(InputRecord, idempotencyKey: String?)
    /// `POST /api/v1/sessions/{chatId}/close`.
    case close
}

/// The owner's answer to a `ClusterRequest`, as the asking daemon returns it to its client.
enum ClusterReply: Codable, Sendable, Hashable {
    case accepted(seq: Int64, startsTurn: Bool, cleared: [Int64])
    case closed
    /// The owner refused: the same error a client of the owner would have got.
    case failed(AgentHostError)
}
