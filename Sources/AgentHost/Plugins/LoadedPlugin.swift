import AgentWire
import CAgentABI
import Foundation
import Synchronization

/// A plugin image that passed the ABI handshake. Never unloaded: Swift images
/// cannot be safely `dlclose`d (reference/plugins.md, rec. 2).
///
/// `@unchecked Sendable`: every stored property is immutable after init; `api`
/// holds C function pointers the plugin promises are valid and thread-safe for
/// the life of the process.
final class LoadedPlugin: @unchecked Sendable {
    let name: String
    let sha256: String
    let storePath: String
    let manifest: PluginManifest
    private let api: agent_plugin_api
    /// Tools the host calls itself through libffi; every other tool goes to `call_tool`.
    let cTools: CToolTable

    init(
        name: String, sha256: String, storePath: String, manifest: PluginManifest, api: agent_plugin_api,
        cTools: CToolTable = CToolTable()
    ) {
        self.name = name
        self.sha256 = sha256
        self.storePath = storePath
        self.manifest = manifest
        self.api = api
        self.cTools = cTools
    }

    func startTurn(_ request: TurnRequest) -> agent_status {
        guard let start = api.start_turn, let json = try? WireCoding.encodeString(request) else { return AGENT_ERR_INVALID }
        return withAgentStr(json) { start(request.turnId, $0) }
    }

    func cancelTurn(_ turnId: UInt64) {
        api.cancel_turn?(turnId)
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
        guard let call = api.call_tool, let json = try? WireCoding.encodeString(request) else {
            return (AGENT_ERR_UNSUPPORTED, "the plugin offers no tools")
        }
        return await withCheckedContinuation { continuation in
            let box = Unmanaged.passRetained(ToolReplyBox(continuation)).toOpaque()
            let status = withAgentStr(json) { args in
                call(turnId, args, box) { context, status, result in
                    guard let context else { return }
                    let box = Unmanaged<ToolReplyBox>.fromOpaque(context).takeRetainedValue()
                    box.resume((status, String(agentStr: result)))
                }
            }
            if status != AGENT_OK {
                Unmanaged<ToolReplyBox>.fromOpaque(box).release()
                continuation.resume(returning: (status, status == AGENT_ERR_UNSUPPORTED ? "unknown tool `\(request.tool)`" : "tool call refused"))
            }
        }
    }
}

/// Resumes at most once, whatever a misbehaving plugin does: a second resume of
/// a checked continuation would trap the daemon.
private final class ToolReplyBox: Sendable {
    private let continuation: Mutex<CheckedContinuation<(agent_status, String), Never>?>

    init(_ continuation: CheckedContinuation<(agent_status, String), Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: (agent_status, String)) {
        continuation.withLock { stored in
            stored?.resume(returning: value)
            stored = nil
        }
    }
}
