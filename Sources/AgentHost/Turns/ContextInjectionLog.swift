/// What `run.inject` and `run.defer` need from the session a turn answers
/// (ContextInjections). A separate protocol from `TurnLog`: a log that keeps
/// no injections (a unit test's) does not conform, and the services refuse.
protocol ContextInjectionLog: Sendable {
    /// Acknowledges model-only context durably; returns its record's seq.
    func inject(_ text: String) async throws -> Int64
    /// The injections waiting for a turn, oldest first, each handed out once.
    func takeInjections() async -> [(seq: Int64, text: String)]
    /// Records deferred work the running turn registered; it starts when the turn is over.
    func registerDeferral(id: String, timeoutSeconds: Double) async throws
    /// Waits for the deferred work running now to record its results.
    func awaitDeferredWork() async
}
