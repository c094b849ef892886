import AgentWire
import CAgentABI
import Logging

/// What `host_ctx` points at: the per-plugin state the C callbacks need.
/// Retained forever, like the plugin image it serves (plugins are never unloaded).
final class PluginHostContext: Sendable {
    let pluginName: String
    let logger: Logger
    let turns: any PluginTurnCallbacks

    init(pluginName: String, logger: Logger, turns: any PluginTurnCallbacks) {
        self.pluginName = pluginName
        self.logger = logger
        self.turns = turns
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> PluginHostContext? {
        pointer.map { Unmanaged<PluginHostContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// `@unchecked Sendable`: the plugin keeps `context` valid until `done` is
/// called, and the host calls `done` exactly once (agent_plugin.h).
struct ServiceCompletion: @unchecked Sendable {
    let context: UnsafeMutableRawPointer?
    let done: agent_service_done_fn

    func callAsFunction(_ status: agent_status, _ result: String) {
        withAgentStr(result) { done(context, status, $0) }
    }
}

/// Builds the `agent_host_api` table handed to a plugin's entry function.
enum HostServicesTable {
    /// Allocated once per loaded image and never freed: the plugin may keep the pointer.
    static func make(for context: PluginHostContext) -> UnsafeMutablePointer<agent_host_api> {
        let table = UnsafeMutablePointer<agent_host_api>.allocate(capacity: 1)
        table.initialize(to: agent_host_api(
            struct_size: UInt32(MemoryLayout<agent_host_api>.size),
            abi_major: AGENT_ABI_MAJOR,
            abi_minor: AGENT_ABI_MINOR,
            host_ctx: Unmanaged.passRetained(context).toOpaque(),
            log: { hostContext, level, message in
                guard let context = PluginHostContext.from(hostContext) else { return }
                let text = String(agentStr: message)
                let logLevel: Logger.Level = switch level {
                case AGENT_LOG_DEBUG: .debug
                case AGENT_LOG_WARNING: .warning
                case AGENT_LOG_ERROR: .error
                default: .info
                }
                context.logger.log(level: logLevel, "\(text)", metadata: ["plugin": "\(context.pluginName)"])
            },
            emit: { hostContext, turnId, chunk in
                guard let context = PluginHostContext.from(hostContext) else { return AGENT_ERR_UNSUPPORTED }
                guard let part = UIChunk(pluginEmitted: String(agentStr: chunk)) else { return AGENT_ERR_INVALID }
                return context.turns.emit(turnId: turnId, chunk: part) ? AGENT_OK : AGENT_ERR_UNSUPPORTED
            },
            call_service: { hostContext, turnId, service, request, callbackContext, done in
                guard let done, let context = PluginHostContext.from(hostContext) else { return AGENT_ERR_UNSUPPORTED }
                let completion = ServiceCompletion(context: callbackContext, done: done)
                let accepted = context.turns.callService(
                    turnId: turnId, service: String(agentStr: service), request: String(agentStr: request),
                    completion: { status, reply in completion(status, reply) }
                )
                return accepted ? AGENT_OK : AGENT_ERR_UNSUPPORTED
            },
            finish_turn: { hostContext, turnId, status, result in
                guard let context = PluginHostContext.from(hostContext) else { return }
                context.turns.finishTurn(turnId: turnId, status: status, result: String(agentStr: result))
            }
        ))
        return table
    }
}

extension UIChunk {
    /// A chunk a plugin may write into its turn's stream, or nil: plugins write
    /// their own `data-*` parts and the preliminary outputs of their running
    /// tool calls (the turn table checks the call runs); everything else in the
    /// stream is the host's, which keeps the stream's ordering rules, and the
    /// control part names (`ControlPart.reservedNames`) are the host's alone.
    /// - Parameters:
    ///   - json: The chunk JSON the plugin (or its worker) sent.
    init?(pluginEmitted json: String) {
        guard let value = try? WireCoding.decode(JSONValue.self, from: json), let part = UIChunk(json: value) else { return nil }
        switch part {
        case .data(let name, _, _, _) where !ControlPart.reservedNames.contains(name): self = part
        case .toolOutputPreliminary: self = part
        default: return nil
        }
    }
}
