import AgentWire
import CAgentABI
import Foundation
import Logging

/// A plugin image that passed the ABI handshake, running in this process.
/// Never unloaded: Swift images cannot be safely `dlclose`d
/// (reference/plugins.md, rec. 2).
///
/// Every call into the plugin runs on a plugin-call thread (`PluginCalls`),
/// never on Swift's cooperative pool.
///
/// `@unchecked Sendable`: every stored property is immutable after init; `api`
/// holds C function pointers the plugin promises are valid and thread-safe for
/// the life of the process.
final class LoadedPlugin: PluginInstance, @unchecked Sendable {
    let name: String
    let sha256: String
    let storePath: String
    let manifest: PluginManifest
    private let api: agent_plugin_api
    /// Tools the host calls itself through libffi; every other tool goes to `call_tool`.
    let cTools: CToolTable
    let logger: Logger

    var isolation: PluginIsolation { .inProcess }
    var runtimeInfo: GenerationRuntimeInfo { GenerationRuntimeInfo(isolation: .inProcess) }

    init(
        name: String, sha256: String, storePath: String, manifest: PluginManifest, api: agent_plugin_api,
        cTools: CToolTable = CToolTable(), logger: Logger
    ) {
        self.name = name
        self.sha256 = sha256
        self.storePath = storePath
        self.manifest = manifest
        self.api = api
        self.cTools = cTools
        self.logger = logger
    }

    func startTurn(_ request: TurnRequest) async -> agent_status {
        guard let json = try? WireCoding.encodeString(request) else { return AGENT_ERR_INVALID }
        let turnId = request.turnId
        return await PluginCalls.run { self.startTurn(turnId: turnId, json: json) }
    }

    /// `start_turn` with the request as JSON text, on the calling thread.
    func startTurn(turnId: UInt64, json: String) -> agent_status {
        guard let start = api.start_turn else { return AGENT_ERR_INVALID }
        return withAgentStr(json) { start(turnId, $0) }
    }

    func cancelTurn(_ turnId: UInt64, reason: CancelReason) async {
        if let json = try? WireCoding.encodeString(HookEvent.cancel(reason)), hasHooks {
            await PluginCalls.run { self.tellCancelReason(turnId, json: json) }
        }
        cancelTurnDetached(turnId)
    }

    /// `call_hook` with a `cancelTurn` event, on the calling thread. Nothing
    /// waits for its answer: `done` only has to exist.
    func tellCancelReason(_ turnId: UInt64, json: String) {
        guard let hook = api.call_hook else { return }
        _ = withAgentStr(json) { hook(turnId, $0, nil) { _, _, _ in } }
    }

    /// `cancel_turn` on a plugin-call thread of its own.
    func cancelTurnDetached(_ turnId: UInt64) {
        guard let cancel = api.cancel_turn else { return }
        PluginCalls.detach { cancel(turnId) }
    }

    /// In the daemon's own process a plugin thread cannot be taken back: a
    /// `start_turn` that never returns keeps its thread (not the cooperative
    /// pool's, see `PluginCalls`) for the life of the process.
    func abandonTurn(_ turnId: UInt64, grace: Duration) {
        Task { await cancelTurn(turnId, reason: .timeout) }
    }

    var hasHooks: Bool { api.call_hook != nil }

    /// `call_hook` with the event as JSON text.
    func callHook(turnId: UInt64, json: String) async -> (agent_status, String) {
        guard let hook = api.call_hook else { return (AGENT_ERR_UNSUPPORTED, "the plugin has no hooks") }
        return await Self.untilDone(json) { hook(turnId, $0, $1, $2) } refused: { status in
            "hook refused (status \(status.rawValue))"
        }
    }

    /// Runs a tool in the plugin; the reply is the output JSON or an error message.
    func callTool(turnId: UInt64, _ request: ToolCallRequest) async -> (agent_status, String) {
        if let caller = cTools.caller(agent: request.agent, tool: request.tool) {
            switch await caller.callBlocking(request.input) {
            case .success(let output):
                guard let json = try? WireCoding.encodeString(output) else { return (AGENT_ERR_INTERNAL, "cannot encode the result") }
                return (AGENT_OK, json)
            case .failure(let error):
                return (AGENT_ERR_INVALID, error.message)
            }
        }
        guard let json = try? WireCoding.encodeString(request) else { return (AGENT_ERR_INVALID, "cannot encode the call") }
        return await callTool(turnId: turnId, json: json, tool: request.tool)
    }

    /// `call_tool` with the call as JSON text.
    func callTool(turnId: UInt64, json: String, tool: String) async -> (agent_status, String) {
        guard let call = api.call_tool else { return (AGENT_ERR_UNSUPPORTED, "the plugin offers no tools") }
        return await Self.untilDone(json) { call(turnId, $0, $1, $2) } refused: { status in
            status == AGENT_ERR_UNSUPPORTED ? "unknown tool `\(tool)`" : "tool call refused"
        }
    }

    /// Starts a plugin call that answers through an `agent_tool_done_fn` (`call_tool`,
    /// `call_hook`) on a plugin-call thread, and waits for its `done`. The plugin
    /// gets an id as the callback context, not a pointer: a second `done`, or a
    /// `done` after an error return, finds nothing to resume (`ReplyTable`).
    /// - Parameters:
    ///   - json: The request JSON, borrowed for the call.
    ///   - start: Calls the plugin with the request, the context and the completion.
    ///   - refused: The reply when the plugin refuses to start (non-OK return).
    private static func untilDone(
        _ json: String, start: @escaping @Sendable (agent_str, UnsafeMutableRawPointer?, agent_tool_done_fn) -> agent_status,
        refused: @escaping @Sendable (agent_status) -> String
    ) async -> (agent_status, String) {
        let replies = toolReplies
        let id = replies.makeId()
        return await replies.await(id) {
            PluginCalls.detach {
                let status = withAgentStr(json) { start($0, UnsafeMutableRawPointer(bitPattern: UInt(id)), completed) }
                if status != AGENT_OK { replies.resume(id, with: (status, refused(status))) }
            }
            return nil
        }
    }

    /// The completion handed to the plugin with `untilDone`'s calls.
    private static let completed: agent_tool_done_fn = { context, status, result in
        let id = UInt64(UInt(bitPattern: context))
        if !LoadedPlugin.toolReplies.resume(id, with: (status, String(agentStr: result))) {
            LoadedPlugin.strayLogger.warning("plugin completed a call (tool or hook) that was already answered; ignored")
        }
    }

    func retire(deadline: Duration) async {
        guard let shutdown = api.shutdown else { return }
        let replies = Self.shutdownReplies
        let id = replies.makeId()
        // A plugin that never calls `done` is not waited for past the deadline.
        let timer = Task {
            guard (try? await Task.sleep(for: deadline)) != nil else { return }
            if replies.resume(id, with: false) {
                self.logger.warning("plugin did not finish shutdown in time", metadata: ["plugin": "\(self.name)"])
            }
        }
        _ = await replies.await(id) {
            PluginCalls.detach {
                shutdown(UnsafeMutableRawPointer(bitPattern: UInt(id))) { context in
                    LoadedPlugin.shutdownReplies.resume(UInt64(UInt(bitPattern: context)), with: true)
                }
            }
            return nil
        }
        timer.cancel()
    }

    /// Tool calls and hooks waiting for their plugin's `done`, by the id passed as its context.
    private static let toolReplies = ReplyTable<(agent_status, String)>()
    /// Shutdowns waiting for `done`: true when the plugin called it.
    private static let shutdownReplies = ReplyTable<Bool>()
    /// For the one case a C callback has nothing else to log through.
    private static let strayLogger = Logger(label: "agent-host.plugins")
}
