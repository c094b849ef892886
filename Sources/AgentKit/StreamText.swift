import CAgentABI

/// What a finished `streamText` call reports (text, finish reason, steps, usage);
/// returning it from `run` ends the turn.
public typealias StreamTextResult = ModelStreamResult

public enum StreamTextError: Error, CustomStringConvertible {
    case notInTurn
    case host(status: UInt32, message: String)

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
public func streamText(
    model: Model = .default,
    system: String? = nil,
    messages: [UIMessage],
    signal: AbortSignal? = nil,
    stopWhen: StopCondition = .stepCount(1),
    tools: [Tool]? = nil
) async throws -> StreamTextResult {
    guard let turn = CurrentTurn.value else { throw StreamTextError.notInTurn }
    try signal?.throwIfAborted()
    let request = ModelStreamRequest(
        model: model.identifier,
        system: system,
        messages: messages,
        maxSteps: stopWhen.maxSteps,
        tools: (tools ?? turn.tools).map(\.spec)
    )
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
