import AgentWire
import NIOHTTP1

/// A reply from the daemon as it came: status, headers and body text.
public struct DaemonReply: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The response headers.
    public var headers: HTTPHeaders
    /// The body, decoded as UTF-8.
    public var body: String

    /// - Parameters:
    ///   - status: The HTTP status code.
    ///   - headers: The response headers.
    ///   - body: The body text.
    public init(status: Int, headers: HTTPHeaders = [:], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as JSON; nil when it is not JSON.
    public var json: JSONValue? { try? WireCoding.decode(JSONValue.self, from: body) }
}
