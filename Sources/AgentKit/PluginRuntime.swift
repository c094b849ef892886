import CAgentABI
import Synchronization

/// The plugin image's own state: the host table, the exported agents and every
/// task the plugin runs. Each loaded build of a plugin is a separate image, so
/// each generation has its own copy of these globals.
enum PluginRuntime {
    struct State: ~Copyable {
        var host: HostServices?
        /// The version label this build exports (`AgentPlugin.version`).
        var version = ""
        var agents: [String: ChatAgent] = [:]
        var manifest = agent_str(ptr: nil, len: 0)
        var turns: [UInt64: Task<Void, Never>] = [:]
        /// Running tool calls, by a plugin-local id, with the turn each belongs to.
        var toolTasks: [UInt64: ToolTask] = [:]
        var nextToolTask: UInt64 = 0
        /// Why each running turn is being cancelled, once the host said (`PluginRuntime+Hooks.swift`).
        var cancellations: [UInt64: TurnCancellation] = [:]
        var hookTasks: [UInt64: Task<Void, Never>] = [:]
        /// Work turns registered with `run.defer`, by id, until the host runs it (`runDeferred`).
        var deferrals: [String: @Sendable () async throws -> String?] = [:]
        /// Deferred work running, by the host's turn id for it.
        var deferredTasks: [UInt64: Task<Void, Never>] = [:]
    }

    static let state = Mutex(State())

    static var host: HostServices {
        get throws {
            guard let host = state.withLock({ $0.host }) else { throw StreamTextError.notInTurn }
            return host
        }
    }
}

// MARK: - The C entry points the host calls (agent_plugin_api)

/// `@unchecked Sendable`: the plugin promises `context` stays valid until `done`
/// is called exactly once, which is all this wrapper is used for.
struct Completion: @unchecked Sendable {
    let context: UnsafeMutableRawPointer?
    let done: agent_tool_done_fn

    func callAsFunction(_ status: agent_status, _ result: String) {
        withAgentStr(result) { done(context, status, $0) }
    }
}

func startTurnEntry(_ turnId: UInt64, _ requestStr: agent_str) -> agent_status {
    guard let request = try? WireCoding.decode(TurnRequest.self, from: String(agentStr: requestStr)) else {
        return AGENT_ERR_INVALID
    }
    return PluginRuntime.state.withLock { state -> agent_status in
        guard let host = state.host else { return AGENT_ERR_INTERNAL }
        guard let agent = state.agents[request.agent] else { return AGENT_ERR_UNSUPPORTED }
        guard state.turns[turnId] == nil else { return AGENT_ERR_BUSY }
        let version = state.version
        let cancellation = TurnCancellation()
        state.cancellations[turnId] = cancellation
        state.turns[turnId] = Task {
            let status: agent_status
            let result: String
            do {
                var agentState = request.state
                if let saved = agentState, let from = request.stateVersion, from != version, let migrate = agent.migrate {
                    agentState = try migrate(from, saved)
                }
                let run = ChatRun(
                    chatId: request.chatId,
                    messages: ChatMessages(known: request.messages, omitted: request.omittedMessages ?? 0, turnId: turnId),
                    signal: AbortSignal(.any, cancellation: cancellation),
                    stopSignal: AbortSignal(.stop, cancellation: cancellation),
                    cancelSignal: AbortSignal(.cancel, cancellation: cancellation),
                    reason: request.reason ?? (request.resumed == true ? .resumed : .submit),
                    turnNumber: request.turnNumber ?? 1, messageId: request.messageId, totalUsage: request.totalUsage,
                    clientData: request.clientData, tools: agent.tools,
                    state: agentState, resumed: request.resumed ?? false, turnId: turnId
                )
                let outcome = try await CurrentTurn.$value.withValue(CurrentTurn(turnId: turnId, tools: agent.tools)) {
                    try await agent.run(run)
                }
                status = AGENT_OK
                result = (try? WireCoding.encodeString(TurnResult(finishReason: outcome.finishReason))) ?? "{}"
            } catch is CancellationError {
                status = AGENT_ERR_CANCELLED
                result = "turn cancelled"
            } catch {
                status = Task.isCancelled ? AGENT_ERR_CANCELLED : AGENT_ERR_INTERNAL
                result = "\(error)"
            }
            PluginRuntime.state.withLock { state in
                state.turns[turnId] = nil
                state.cancellations[turnId] = nil
            }
            host.finishTurn(turnId: turnId, status: status, result: result)
        }
        return AGENT_OK
    }
}

func cancelTurnEntry(_ turnId: UInt64) {
    let (task, cancellation, deferred) = PluginRuntime.state.withLock {
        ($0.turns[turnId], $0.cancellations[turnId], $0.deferredTasks[turnId])
    }
    cancellation?.markCancelled()
    task?.cancel()
    // The id may name deferred work instead (`runDeferred`).
    deferred?.cancel()
    // A stop (or a move to a new build) stops the turn's tools too (ABI 1.1).
    PluginRuntime.cancelToolTasks(ofTurn: turnId)
}

func shutdownEntry(_ context: UnsafeMutableRawPointer?, _ done: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?) {
    let tasks = PluginRuntime.state.withLock { state in
        Array(state.turns.values) + state.toolTasks.values.map(\.task) + Array(state.hookTasks.values)
            + Array(state.deferredTasks.values)
    }
    let completion = ShutdownCompletion(context: context, done: done)
    Task {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        completion()
    }
}

/// `@unchecked Sendable`: as `Completion`, the host keeps `context` valid until `done`.
private struct ShutdownCompletion: @unchecked Sendable {
    let context: UnsafeMutableRawPointer?
    let done: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?
    func callAsFunction() { done?(context) }
}
