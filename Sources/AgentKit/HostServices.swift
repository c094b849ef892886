import CAgentABI

/// The host's service table, as handed to the entry function.
///
/// `@unchecked Sendable`: the host promises the table is immutable and valid for
/// the life of the process (agent_plugin.h); `host_ctx` is an opaque token that
/// is only ever passed back to the host, never dereferenced here.
struct HostServices: @unchecked Sendable {
    let api: agent_host_api

    func log(_ level: agent_log_level, _ message: String) {
        guard let log = api.log else { return }
        withAgentStr(message) { log(api.host_ctx, level, $0) }
    }

    func emit(turnId: UInt64, chunk: JSONValue) throws {
        guard let emit = api.emit else { throw StreamTextError.host(status: AGENT_ERR_UNSUPPORTED.rawValue, message: "no emit") }
        let json = try WireCoding.encodeString(chunk)
        let status = withAgentStr(json) { emit(api.host_ctx, turnId, $0) }
        guard status == AGENT_OK else {
            throw StreamTextError.host(status: status.rawValue, message: "emit refused")
        }
    }

    func finishTurn(turnId: UInt64, status: agent_status, result: String) {
        guard let finish = api.finish_turn else { return }
        withAgentStr(result) { finish(api.host_ctx, turnId, status, $0) }
    }

    /// Bridges the host's start + completion callback to `async`.
    func callService(turnId: UInt64, service: String, request: String) async throws -> String {
        guard let call = api.call_service else {
            throw StreamTextError.host(status: AGENT_ERR_UNSUPPORTED.rawValue, message: "no call_service")
        }
        let (status, reply) = await withCheckedContinuation { (continuation: CheckedContinuation<(agent_status, String), Never>) in
            let box = Unmanaged.passRetained(ReplyBox(continuation)).toOpaque()
            let started = withAgentStr(service) { serviceStr in
                withAgentStr(request) { requestStr in
                    call(api.host_ctx, turnId, serviceStr, requestStr, box) { context, status, result in
                        guard let context else { return }
                        let box = Unmanaged<ReplyBox>.fromOpaque(context).takeRetainedValue()
                        box.continuation.resume(returning: (status, String(agentStr: result)))
                    }
                }
            }
            if started != AGENT_OK {
                // The host will not call back: resolve here, exactly once.
                Unmanaged<ReplyBox>.fromOpaque(box).release()
                continuation.resume(returning: (started, "service \(service) refused"))
            }
        }
        if status == AGENT_ERR_CANCELLED { throw CancellationError() }
        guard status == AGENT_OK else { throw StreamTextError.host(status: status.rawValue, message: reply) }
        return reply
    }
}

private final class ReplyBox: Sendable {
    let continuation: CheckedContinuation<(agent_status, String), Never>
    init(_ continuation: CheckedContinuation<(agent_status, String), Never>) {
        self.continuation = continuation
    }
}
