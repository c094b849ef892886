import AgentWire

/// `context.inject` and `defer.start`, and where a turn takes injected
/// context: before its first model request (after waiting for deferred work
/// that is still running) and at every step boundary. Each injection taken is
/// recorded (`data-context-injected`) in order with the chunks — the log then
/// shows where the model read it, and a restart neither loses nor repeats it.
/// The model reads each as a user message of its own, its text as given.
extension HostServiceRouter {
    /// The session's injection log; nil for a log that keeps none.
    private var injectionLog: (any ContextInjectionLog)? { log as? any ContextInjectionLog }

    /// `context.inject`: acknowledges the context once it is durable.
    func inject(request: String) async throws -> String {
        try await Self.inject(request: request, into: log)
    }

    /// `context.inject` into `log`, from a turn or a lifecycle hook (LifecycleHooks).
    static func inject(request: String, into log: any TurnLog) async throws -> String {
        let inject = try WireCoding.decode(ContextInjectRequest.self, from: request)
        guard let injectionLog = log as? any ContextInjectionLog else {
            throw AgentHostError.badRequest("this session keeps no injected context")
        }
        return try WireCoding.encodeString(ContextInjectReply(seq: try await injectionLog.inject(inject.text)))
    }

    /// `defer.start`: registers work to run once this turn is over.
    func startDeferral(request: String) async throws -> String {
        let start = try WireCoding.decode(DeferStartRequest.self, from: request)
        guard !start.id.isEmpty, start.timeoutSeconds > 0 else {
            throw AgentHostError.badRequest("deferred work needs an id and a positive timeoutSeconds")
        }
        guard let injectionLog else { throw AgentHostError.badRequest("this session runs no deferred work") }
        try await injectionLog.registerDeferral(id: start.id, timeoutSeconds: start.timeoutSeconds)
        return "{}"
    }

    /// Before a turn's first model request: waits for deferred work, then takes what waits.
    func contextBeforeFirstStep(into channel: TurnChannel) async throws -> [ModelMessage] {
        await injectionLog?.awaitDeferredWork()
        return try await injectContext(into: channel)
    }

    /// Takes the injections waiting now, records where they enter, and returns them as the model reads them.
    func injectContext(into channel: TurnChannel) async throws -> [ModelMessage] {
        guard let taken = await injectionLog?.takeInjections(), !taken.isEmpty else { return [] }
        let inSeq = await log.checkpoint?.inSeq ?? 0
        channel.sendControl(.contextInjected(inSeq: inSeq, seqs: taken.map(\.seq)))
        return taken.map { .user(parts: [.text($0.text)]) }
    }
}
