/// Which daemon runs a session's turns. One daemon alone owns a session while
/// it is in its memory; on a shared database the others relay writes to it and
/// follow its log (`ClusterLink`).
protocol SessionOwnership: Sendable {
    /// Takes the session for this daemon if no other daemon holds it, without waiting.
    /// - Parameters:
    ///   - chatId: The session.
    /// - Returns: true when this daemon owns it now (also when it did already).
    func claim(_ chatId: String) async throws -> Bool

    /// Lets the session go: it left this daemon's memory.
    /// - Parameters:
    ///   - chatId: A session this daemon owns; any other is ignored.
    func giveUp(_ chatId: String) async
}

/// The one daemon on an SQLite file owns every session.
struct SoleOwnership: SessionOwnership {
    func claim(_ chatId: String) async throws -> Bool { true }
    func giveUp(_ chatId: String) async {}
}

/// A session another live daemon owns: its writes go there, its reads come from the database.
struct SessionOwnedElsewhere: Error, Hashable {
    let chatId: String
}
