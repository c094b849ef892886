import AgentWire
import Foundation

/// One loaded build of one agent. An agent has one active generation and any
/// number of older ones draining until no turn uses them.
public struct GenerationInfo: Sendable, Codable, Hashable {
    public enum State: String, Sendable, Codable {
        case active
        case draining
        case retired
    }

    /// Whether a generation's plugin keeps hanging (README, "Run limits").
    public enum Health: String, Sendable, Codable {
        case healthy
        /// Its turns or tools overran their time limits `GenerationTable.unhealthyAfterHangs` times.
        case unhealthy
    }

    public var id: Int
    public var agent: String
    public var sha256: String
    public var version: String
    public var plugin: String
    public var state: State
    public var loadedAt: Date
    public var liveTurns: Int
    /// `unhealthy` once its turns or tools overran their time limits repeatedly.
    public var health: Health
    /// Turns and tool calls of this generation that overran their time limits.
    public var hangs: Int
    /// Where the build runs and, for a worker, its process; filled in by the registry.
    public var runtime: GenerationRuntimeInfo?
}

/// A generation leased for one turn; give it back with `PluginRegistry.release`.
struct GenerationLease: Sendable {
    /// The generation table's record of this lease, which releases it once only.
    let lease: GenerationTable.Lease
    let agent: String
    let plugin: any PluginInstance
    /// Fired when the generation drains past its deadline: the turn must leave it.
    let recall: LeaseRecall

    var generationId: Int { lease.generationId }

    /// What the leased build's manifest says about the leased agent.
    var agentManifest: AgentManifest? {
        plugin.manifest.agents.first { $0.id == agent }
    }
}
