import AgentWire
import Testing
@testable import AgentHost

/// The daemon's limits are the defaults for agents that declare none and the
/// caps for those that declare more.
@Suite struct RunLimitsTests {
    private let limits = RunLimits(maxTurnDuration: .seconds(600), toolTimeout: .seconds(120))

    private func agent(maxTurnSeconds: Double?) -> AgentManifest {
        AgentManifest(id: "a", tools: [], maxTurnSeconds: maxTurnSeconds)
    }

    private func tool(timeoutSeconds: Double?) -> ToolSpec {
        ToolSpec(name: "t", description: "d", inputSchema: [:], timeoutSeconds: timeoutSeconds)
    }

    @Test func anAgentThatDeclaresNothingGetsTheDaemonsLimits() {
        #expect(limits.turnLimit(for: agent(maxTurnSeconds: nil)) == .seconds(600))
        #expect(limits.turnLimit(for: nil) == .seconds(600))
        #expect(limits.toolLimit(for: tool(timeoutSeconds: nil)) == .seconds(120))
        #expect(limits.toolLimit(for: nil) == .seconds(120), "a tool the manifest does not declare")
    }

    @Test func aShorterDeclaredLimitIsKept() {
        #expect(limits.turnLimit(for: agent(maxTurnSeconds: 300)) == .seconds(300))
        #expect(limits.toolLimit(for: tool(timeoutSeconds: 0.25)) == .milliseconds(250))
    }

    @Test func aLongerDeclaredLimitIsCapped() {
        #expect(limits.turnLimit(for: agent(maxTurnSeconds: 3600)) == .seconds(600))
        #expect(limits.toolLimit(for: tool(timeoutSeconds: 1e12)) == .seconds(120))
    }

    @Test func limitsReadAsSeconds() {
        #expect(Duration.seconds(300).secondsText == "300 s")
        #expect(Duration.milliseconds(500).secondsText == "0.5 s")
        #expect(Duration.milliseconds(1500).totalSeconds == 1.5)
    }
}
