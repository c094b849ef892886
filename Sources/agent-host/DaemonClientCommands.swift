import AgentWire
import AgentHost
import AgentHostClient
import ArgumentParser
import Foundation

/// Options of commands that talk to a running daemon with the secret key.
struct DaemonConnection: ParsableArguments {
    @Option(help: "The daemon's base URL.")
    var url: String = "http://127.0.0.1:8787"

    @OptionGroup var dataOptions: DataOptions

    /// The daemon's secret key, from the environment or the data directory.
    func secretKey() throws -> String {
        try SecretKey.load(environment: ProcessInfo.processInfo.environment, dataDirectory: dataOptions.data).value
    }

    /// A client holding the secret key.
    func client() throws -> AgentHostClient {
        AgentHostClient(baseURL: url, token: try secretKey())
    }

    /// Prints the body of the daemon's reply to `call`, or what `table` makes
    /// of its JSON; a refusal becomes the command's error.
    /// - Parameters:
    ///   - table: Renders the reply for people; nil prints the body as it came.
    ///   - call: The request.
    func printReply(as table: ((JSONValue) -> String)? = nil, _ call: (AgentHostClient) async throws -> DaemonReply) async throws {
        let reply: DaemonReply
        do {
            reply = try await call(try client())
        } catch let error as AgentHostClientError {
            throw ValidationError("daemon answered \(error.status): \(error.body)")
        }
        guard let table else { return print(reply.body) }
        guard let json = reply.json else { throw ValidationError("the daemon's reply is not JSON: \(reply.body)") }
        print(table(json))
    }
}

struct Agents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List loaded agents: the active build, draining builds, tools (and sub-agent delegation), refused files."
    )

    @OptionGroup var connection: DaemonConnection

    @Flag(help: "Print the daemon's JSON (GET /api/v1/agents) instead of a table.")
    var json = false

    func run() async throws {
        try await connection.printReply(as: json ? nil : { DaemonTables.agents($0) }) { try await $0.agents() }
    }
}

struct Sessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List sessions: chat id, agent, status, last activity and last message."
    )

    @OptionGroup var connection: DaemonConnection

    @Option(help: "Only sessions of this agent.")
    var agent: String?

    @Flag(help: "Print the daemon's JSON (GET /api/v1/sessions) instead of a table.")
    var json = false

    func run() async throws {
        try await connection.printReply(as: json ? nil : { DaemonTables.sessions($0) }) { try await $0.listSessions(agent: agent, limit: 500) }
    }
}

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the previous generation of an agent active again.",
        discussion: "On a cluster the decision is cluster-wide, through any daemon or, with --database, with none."
    )

    @Argument(help: "The agent id.")
    var agent: String

    @OptionGroup var connection: DaemonConnection

    @OptionGroup var cluster: ClusterDatabaseOption

    func run() async throws {
        guard let storage = try await cluster.connect() else {
            return try await connection.printReply { try await $0.rollback(agent: agent) }
        }
        let rollback = try await storage.closing { try await $0.rollback(agent: agent, among: nil) }
        switch rollback {
        case .restored(let agent, let sha256, let superseded):
            print("rolled back \(agent) to sha256 \(sha256) (was \(superseded)); every daemon on the database activates it")
        case .unknownAgent:
            throw ValidationError("no build of `\(agent)` is recorded in the database")
        case .noEarlierBuild:
            throw ValidationError("agent `\(agent)` has no earlier build to roll back to")
        }
    }
}
