import Foundation

/// One loaded build of one agent. An agent has one active generation and any
/// number of older ones draining until no turn uses them.
public struct GenerationInfo: Sendable, Codable, Hashable {
    public enum State: String, Sendable, Codable {
        case active
        case draining
        case retired
    }

    public var id: Int
    public var agent: String
    public var sha256: String
    public var version: String
    public var plugin: String
    public var state: State
    public var loadedAt: Date
    public var liveTurns: Int
    /// Where the build runs and, for a worker, its process; filled in by the registry.
    public var runtime: GenerationRuntimeInfo?
}

/// A generation leased for one turn; give it back with `PluginRegistry.release`.
struct GenerationLease: Sendable {
    /// The generation table's record of this lease, which releases it once only.
    let lease: GenerationTable.Lease
    let agent: String
    let plugin: any PluginInstance

    var generationId: Int { lease.generationId }
}
