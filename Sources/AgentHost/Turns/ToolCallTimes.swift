import Synchronization

/// How long the tool calls of a turn's running step took, kept until the
/// step's report takes them (`TurnTimeline.stepRecord`). Calls run at the same
/// time (`StepLoop.runCalls`), so they record from several tasks.
final class ToolCallTimes: Sendable {
    struct Call: Sendable, Hashable {
        var toolCallId: String
        var toolName: String
        var duration: Duration
    }

    private let calls = Mutex<[Call]>([])

    /// Runs `body` (one tool call) and records how long it took.
    /// - Parameters:
    ///   - toolCallId: The call's id.
    ///   - toolName: The tool it calls.
    ///   - body: The call.
    func time<T: Sendable>(_ toolCallId: String, _ toolName: String, _ body: () async -> T) async -> T {
        let started = ContinuousClock.now
        let result = await body()
        let call = Call(toolCallId: toolCallId, toolName: toolName, duration: ContinuousClock.now - started)
        calls.withLock { $0.append(call) }
        return result
    }

    /// The calls recorded since the last take, in the order they ended.
    func take() -> [Call] {
        calls.withLock { calls in
            defer { calls.removeAll() }
            return calls
        }
    }
}
