/// Where a session stands. Persisted, so a restart knows which turns were cut off.
public enum SessionStatus: String, Codable, Sendable, CaseIterable {
    case idle
    case running
    case awaitingInput = "awaiting-input"
    case closed
}
