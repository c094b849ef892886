import AgentWire
import Foundation

extension AgentHostClient {
    /// Loaded agents, their generations and refused files (`GET /api/v1/agents`, secret key).
    public func agents() async throws -> DaemonReply {
        try await call(.GET, "/api/v1/agents")
    }

    /// Makes the previous generation of `agent` active again (secret key).
    /// - Parameters:
    ///   - agent: The agent id.
    public func rollback(agent: String) async throws -> DaemonReply {
        try await call(.POST, "/api/v1/agents/\(Self.segment(agent))/rollback")
    }

    /// Mints a public token scoped to sessions (`POST /api/v1/tokens`, secret key).
    /// - Parameters:
    ///   - read: Sessions the token may read.
    ///   - write: Sessions the token may write.
    ///   - expirationTime: A lifetime such as `15m`, `1h` or `7d`; the daemon's default when nil.
    public func mintToken(read: [String], write: [String] = [], expirationTime: String? = nil) async throws -> String {
        var scopes: [String: JSONValue] = [:]
        if !read.isEmpty { scopes["read"] = ["sessions": .array(read.map(JSONValue.string))] }
        if !write.isEmpty { scopes["write"] = ["sessions": .array(write.map(JSONValue.string))] }
        var body: [String: JSONValue] = ["scopes": .object(scopes)]
        if let expirationTime { body["expirationTime"] = .string(expirationTime) }
        let reply = try await call(.POST, "/api/v1/tokens", body: JSONValue.object(body).jsonText)
        guard let token = reply.json?["token"]?.stringValue else { throw AgentHostClientError.malformed("token", in: reply) }
        return token
    }
}
