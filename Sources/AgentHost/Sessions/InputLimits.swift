/// What one client may put into a session (README, "Limits: inputs"): how many
/// inputs may wait behind a running turn, and how large one input may be.
public struct InputLimits: Sendable, Hashable {
    /// Inputs that may wait for a turn in one session; one more is refused (429).
    public var maxQueuedInputs: Int
    /// The largest input record, its message or action encoded as JSON (413).
    public var maxInputBytes: Int

    /// - Parameters:
    ///   - maxQueuedInputs: `serve --max-queued-inputs`.
    ///   - maxInputBytes: `serve --max-input-size` (given in KiB).
    public init(maxQueuedInputs: Int = 32, maxInputBytes: Int = 256 * 1024) {
        self.maxQueuedInputs = maxQueuedInputs
        self.maxInputBytes = maxInputBytes
    }
}
