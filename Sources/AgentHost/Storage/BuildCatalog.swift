import Foundation

/// One plugin build as a catalog records it: its content hash, the file name it
/// was deployed under (which names its plugin) and, in a shared catalog, its bytes.
public struct CatalogBuild: Sendable, Hashable {
    public var sha256: String
    public var fileName: String
    /// The build itself; kept only by a shared catalog, which other daemons load it from.
    public var bytes: [UInt8]?

    /// - Parameters:
    ///   - sha256: The hex SHA-256 of `bytes`: the build's identity.
    ///   - fileName: The deployed file's name, e.g. `libMyChat.so`.
    ///   - bytes: The build, for a shared catalog.
    public init(sha256: String, fileName: String, bytes: [UInt8]? = nil) {
        self.sha256 = sha256
        self.fileName = fileName
        self.bytes = bytes
    }
}

/// Where the activation decision lives: which build of each agent is active,
/// and the order builds were activated in, so a rollback has a previous one and
/// a restart brings back what was decided (DESIGN §3, "Hot redeploy").
///
/// A build gets its place in that order when it is first published; the agents
/// its manifest holds are recorded at that place by the first daemon that loads
/// it (the CLI publishes without loading anything). A rollback gives the
/// restored build a new, last place. Publishing a build again changes nothing.
public protocol BuildCatalog: Sendable {
    /// Publishes `build` if it is new (in its place, last) and records `agents`
    /// of it that are not recorded yet, in one transaction.
    /// - Parameters:
    ///   - build: The build; a shared catalog needs its bytes when it is new.
    ///   - agents: The agents its manifest holds; empty when they are not known yet.
    func publish(_ build: CatalogBuild, agents: [String]) async throws
    /// Every agent's recorded builds, most recently activated first, and the
    /// published builds no agent is recorded for yet.
    func buildDecisions() async throws -> BuildDecisions
    /// Rolls `agent` back to the build activated before its current one, as one
    /// decision (concurrent rollbacks are serialised, each moves one step).
    /// - Parameters:
    ///   - agent: The agent id.
    ///   - available: The builds that may be restored (those loaded here); nil: any published one.
    func rollback(agent: String, among available: Set<String>?) async throws -> BuildDecisions.Rollback
}

/// A catalog every daemon of a cluster reads: it keeps the builds' bytes, and
/// announces each decision to every daemon listening (`ClusterListener`).
public protocol SharedBuildCatalog: BuildCatalog {
    /// The published build with this hash, bytes included; nil when there is none.
    /// - Parameters:
    ///   - sha256: The build's hash.
    func build(sha256: String) async throws -> CatalogBuild?
}
