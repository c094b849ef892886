import AgentHost
import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Options of commands that talk to a running daemon with the secret key.
struct DaemonConnection: ParsableArguments {
    @Option(help: "The daemon's base URL.")
    var url: String = "http://127.0.0.1:8787"

    @OptionGroup var dataOptions: DataOptions

    /// GETs `path` with the secret key and returns the body, or throws the daemon's error.
    func get(_ path: String) async throws -> String {
        try await send(.GET, path)
    }

    func send(_ method: HTTPMethod, _ path: String) async throws -> String {
        let key = try SecretKey.load(environment: ProcessInfo.processInfo.environment, dataDirectory: dataOptions.data)
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key.value)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        let text = String(buffer: body)
        guard response.status == .ok else {
            throw ValidationError("daemon answered \(response.status.code): \(text)")
        }
        return text
    }
}

struct Agents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List loaded agents, their generations and refused files.")

    @OptionGroup var connection: DaemonConnection

    func run() async throws {
        print(try await connection.get("/api/v1/agents"))
    }
}

struct Sessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List sessions.")

    @OptionGroup var connection: DaemonConnection

    @Option(help: "Only sessions of this agent.")
    var agent: String?

    func run() async throws {
        var path = "/api/v1/sessions?limit=500"
        if let agent, let encoded = agent.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) {
            path += "&agent=\(encoded)"
        }
        print(try await connection.get(path))
    }
}

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make the previous generation of an agent active again.")

    @Argument(help: "The agent id.")
    var agent: String

    @OptionGroup var connection: DaemonConnection

    func run() async throws {
        let encoded = agent.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? agent
        print(try await connection.send(.POST, "/api/v1/agents/\(encoded)/rollback"))
    }
}
