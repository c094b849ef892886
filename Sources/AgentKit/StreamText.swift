import CAgentABI

/// What a finished `streamText` call reports (text, finish reason, steps, usage);
/// returning it from `run` ends the turn.
public typealias StreamTextResult = ModelStreamResult

/// Why `streamText` (or another call that goes through the host) failed. Let it
/// propagate out of `run`: the host then ends the turn with an `error` part that
/// carries this description to the user.
public enum StreamTextError: Error, CustomStringConvertible {
    /// Called outside a turn: from a task that `run` did not start (a detached
    /// task or a global initialiser), or before the host loaded the plugin.
    case notInTurn
    /// The host answered with a non-OK `agent_status` (`status`, its raw value)
    /// and a message: a model or provider failure, a refused service, a bad request.
    case host(status: UInt32, message: String)

    /// A message fit for the user: provider failures as the host wrote them.
    public var description: String {
        switch self {
        case .notInTurn: "streamText was called outside a turn's run"
        // The host ran the step loop and it failed (a provider error, a missing
        // key, …): its message is already written for the user, pass it on as is.
        case .host(let status, let message) where status == AGENT_ERR_INTERNAL.rawValue: message
        case .host(let status, let message): "host refused the model call (status \(status)): \(message)"
        }
    }
}

/// Runs the step loop in the host: one streamed model request per step, tool
/// calls executed and fed back, until the model stops or `stopWhen` is reached.
/// Every chunk goes straight into the session's output stream; there is nothing
/// to pipe or spread.
///
/// Because the host owns the loop, a turn survives a crash or a move to a new
/// build at a step boundary: `run` is called again with `resumed` set, and the
/// first `streamText` call continues the turn from its last checkpoint.
///
/// ```swift
/// try await streamText(model: .anthropic("claude-sonnet-4-5"), messages: run.messages,
///                      signal: run.signal, stopWhen: .stepCount(8), tools: run.tools)
/// ```
///
/// - Parameters:
///   - model: The model to ask; the daemon's configured one by default.
///   - system: A system prompt for every step, or none.
///   - messages: The turn's conversation, `run.messages`: the host answers it
///     without the messages crossing the plugin boundary.
///   - signal: The turn's stop signal; an aborted turn throws before asking the model.
///   - stopWhen: How many steps at most; one by default, which leaves tool results unanswered.
///   - tools: The tools the model may call; `nil` offers the agent's own (`run.tools`), `[]` none.
/// - Returns: The answer's text, why it finished, how many steps it took and the tokens used.
/// - Throws: `StreamTextError.notInTurn` outside a turn, `StreamTextError.host` when the
///   model call fails, `CancellationError` when the turn was stopped.
public func streamText(
    model: Model = .default,
    system: String? = nil,
    messages: ChatMessages,
    signal: AbortSignal? = nil,
    stopWhen: StopCondition = .stepCount(1),
    tools: [Tool]? = nil
) async throws -> StreamTextResult {
    try await streamText(
        model: model, system: system, messages: nil, signal: signal, stopWhen: stopWhen, tools: tools
    )
}

/// Runs the step loop in the host on messages the agent built itself (e.g. from
/// `run.messages.load()`, reshaped): they cross the boundary as JSON, so prefer
/// passing `run.messages` unchanged when nothing was changed.
///
/// - Parameters:
///   - model: The model to ask; the daemon's configured one by default.
///   - system: A system prompt for every step, or none.
///   - messages: The conversation to answer, the newest message last.
///   - signal: The turn's stop signal; an aborted turn throws before asking the model.
///   - stopWhen: How many steps at most; one by default, which leaves tool results unanswered.
///   - tools: The tools the model may call; `nil` offers the agent's own (`run.tools`), `[]` none.
/// - Returns: The answer's text, why it finished, how many steps it took and the tokens used.
/// - Throws: As the `run.messages` variant.
public func streamText(
    model: Model = .default,
    system: String? = nil,
    messages: [UIMessage],
    signal: AbortSignal? = nil,
    stopWhen: StopCondition = .stepCount(1),
    tools: [Tool]? = nil
) async throws -> StreamTextResult {
    try await streamText(
        model: model, system: system, messages: Optional(messages), signal: signal, stopWhen: stopWhen, tools: tools
    )
}

/// `messages` nil: the turn's conversation, which the host already holds.
/// `tools` nil: the agent's declared tools, which the host knows from the manifest.
private func streamText(
    model: Model, system: String?, messages: [UIMessage]?, signal: AbortSignal?, stopWhen: StopCondition, tools: [Tool]?
) async throws -> StreamTextResult {
    guard let turn = CurrentTurn.value else { throw StreamTextError.notInTurn }
    try signal?.throwIfAborted()
    var request = ModelStreamRequest(
        model: model.identifier,
        system: system,
        messages: messages ?? [],
        maxSteps: stopWhen.maxSteps,
        tools: tools?.map(\.spec) ?? []
    )
    request.inheritsMessages = messages == nil
    request.inheritsTools = tools == nil
    let reply = try await PluginRuntime.host.callService(
        turnId: turn.turnId,
        service: HostService.modelStream,
        request: WireCoding.encodeString(request)
    )
    return try WireCoding.decode(ModelStreamResult.self, from: reply)
}

/// The turn the current task runs for; lets `streamText` find its host turn.
struct CurrentTurn: Sendable {
    let turnId: UInt64
    let tools: [Tool]

    @TaskLocal static var value: CurrentTurn?
}
