import Foundation

/// Model-only context and deferred work (README, "Injected context, deferred
/// work and prepareMessages").
extension ChatRun {
    /// Adds context the model reads but the chat does not show: it joins the
    /// conversation at the running turn's next step boundary, or, when the turn
    /// has none left, before the next turn's first model request. The model
    /// reads `text` as a user message of its own; say what it is, e.g.
    /// `"<context>The user's plan is Pro.</context>"`. Durable once this
    /// returns: a crash neither loses it nor gives it to the model twice.
    ///
    /// ```swift
    /// try await run.inject("<context>It is \(Date()) for the user.</context>")
    /// ```
    ///
    /// - Parameters:
    ///   - text: What the model reads.
    /// - Returns: The injection's id (the seq of its log record, as
    ///   `data-context-injected` names it).
    /// - Throws: `StreamTextError` when the host refuses it or the turn is over.
    @discardableResult
    public func inject(_ text: String) async throws -> Int64 {
        try await ContextInjection.inject(text, turnId: turnId)
    }

    /// Registers background work that starts once this turn is over, and
    /// whose result the model reads before the next turn (as `inject`): the
    /// next turn waits for it, at most `timeout`, before its first model
    /// request. Work still running when the session closes or the daemon stops
    /// is cancelled; work that fails, times out or is cancelled injects
    /// nothing. Both its start and its result are log records: after a crash,
    /// work that had started and not finished is recorded as failed, never run
    /// again, so its result is never injected twice.
    ///
    /// ```swift
    /// try await run.defer(timeout: .seconds(20)) {
    ///     "<context>Related tickets: \(try await tickets.search(topic))</context>"
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - timeout: The longest the work may run once started.
    ///   - work: The work; the text it returns is injected, nil injects nothing.
    ///     It runs in this build of the plugin, outside the turn (`run`'s
    ///     signals do not reach it; check `Task.isCancelled`).
    /// - Throws: `StreamTextError` when the host refuses it or the turn is over.
    public func `defer`(timeout: Duration = .seconds(30), _ work: @escaping @Sendable () async throws -> String?) async throws {
        let id = UUID().uuidString
        PluginRuntime.state.withLock { $0.deferrals[id] = work }
        do {
            let request = DeferStartRequest(id: id, timeoutSeconds: timeout.totalSeconds)
            _ = try await PluginRuntime.host.callService(
                turnId: turnId, service: HostService.deferStart, request: WireCoding.encodeString(request)
            )
        } catch {
            _ = PluginRuntime.state.withLock { $0.deferrals.removeValue(forKey: id) }
            throw error
        }
    }
}

extension ToolContext {
    /// Adds context the model reads but the chat does not show, as
    /// `ChatRun.inject`: from a tool, it joins the conversation at the
    /// boundary after this call's step.
    ///
    /// - Parameters:
    ///   - text: What the model reads.
    /// - Returns: The injection's id.
    /// - Throws: `StreamTextError` when the host refuses it.
    @discardableResult
    public func inject(_ text: String) async throws -> Int64 {
        try await ContextInjection.inject(text, turnId: turnId)
    }
}

/// The `context.inject` call both contexts make.
enum ContextInjection {
    static func inject(_ text: String, turnId: UInt64) async throws -> Int64 {
        let reply = try await PluginRuntime.host.callService(
            turnId: turnId, service: HostService.contextInject, request: WireCoding.encodeString(ContextInjectRequest(text: text))
        )
        return try WireCoding.decode(ContextInjectReply.self, from: reply).seq
    }
}

/// A hook event that may inject model-only context (`onChatStart`,
/// `onTurnStart`, `onBeforeTurnComplete`, `onTurnComplete`, `onAction`).
public protocol HookContextInjecting {
    /// The host's id for the hook call.
    var writer: HookWriter { get }
}

extension HookContextInjecting {
    /// Adds context the model reads but the chat does not show, as
    /// `ChatRun.inject`, while the hook runs: from `onChatStart` or
    /// `onTurnStart` the turn's first model request reads it; from
    /// `onBeforeTurnComplete`, `onTurnComplete` or `onAction` the next turn's.
    /// It is recorded once per hook call: a hook the host calls again (an
    /// `onAction` whose daemon died while it ran) injects again.
    ///
    /// ```swift
    /// onTurnComplete: { event in
    ///     try await event.inject("<context>The user was shown offer \(offer).</context>")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - text: What the model reads.
    /// - Returns: The injection's id.
    /// - Throws: `StreamTextError` after the hook returned, or when the host refuses it.
    @discardableResult
    public func inject(_ text: String) async throws -> Int64 {
        guard writer.turnId != 0 else { throw StreamTextError.notInTurn }
        return try await ContextInjection.inject(text, turnId: writer.turnId)
    }
}
