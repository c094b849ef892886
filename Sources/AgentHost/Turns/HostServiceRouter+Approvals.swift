import AgentWire
import CAgentABI
import Synchronization

/// True for the first caller of `claim()` only.
final class FirstClaim: Sendable {
    private let claimed = Atomic<Bool>(false)

    func claim() -> Bool {
        !claimed.exchange(true, ordering: .acquiringAndReleasing)
    }
}

extension HostServiceRouter {
    /// The step loop's human-in-the-loop part for one `model.stream` call: how
    /// each call of the request's tools is handled, and — for the turn's first
    /// call — the approved or denied calls of the message the turn continues.
    func approvals(for request: ModelStreamRequest, turnId: UInt64) async -> StepLoop.Approvals {
        let tools = Dictionary(request.tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let lease = lease
        var approvals = StepLoop.Approvals.none
        approvals.handling = { call in
            guard let tool = tools[call.name] else { return .run }
            if tool.clientSide == true { return .awaitClient }
            switch tool.needsApproval ?? .never {
            case .never: return .run
            case .always: return .askApproval
            case .perCall:
                // A C tool cannot be asked without running it: it always asks a person.
                guard tool.cFunction == nil else { return .askApproval }
                return await Self.pluginWantsApproval(call, lease: lease, turnId: turnId) ? .askApproval : .run
            }
        }
        if answersSettled.claim() {
            // The answered message is the conversation's last: the turn continues it.
            let last = request.inheritsMessages ? await log.conversationEnd.newest : request.messages.last
            if let last, last.role == "assistant" { approvals.answered = last.answeredToolCalls }
        }
        return approvals
    }

    /// Asks the plugin whether this call needs approval (`call_tool` with
    /// `approvalCheck`); anything but a clear "no" asks the person.
    private static func pluginWantsApproval(_ call: ModelToolCall, lease: GenerationLease, turnId: UInt64) async -> Bool {
        let request = ToolCallRequest(agent: lease.agent, tool: call.name, input: call.input, approvalCheck: true)
        let (status, reply) = await lease.plugin.callTool(turnId: turnId, request)
        guard status == AGENT_OK, let check = try? WireCoding.decode(ToolApprovalCheck.self, from: reply) else { return true }
        return check.needsApproval
    }
}
