import AgentWire
import NIOHTTP1

/// A call the daemon refused or answered with something unusable. For a refusal
/// it carries the daemon's `{"error": {"code", "message"}}`.
public struct AgentHostClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status; 0 when a 2xx reply lacked what the call needs.
    public var status: Int
    /// The daemon's error code (`not-found`, `unauthorized`, …), when it sent one.
    public var code: String?
    /// The daemon's message, else the status line, else what was missing.
    public var message: String
    /// The reply body as it came.
    public var body: String

    /// - Parameters:
    ///   - status: The HTTP status, or 0 for an unusable 2xx reply.
    ///   - code: The daemon's error code, if any.
    ///   - message: What went wrong, for people.
    ///   - body: The reply body.
    public init(status: Int, code: String?, message: String, body: String) {
        self.status = status
        self.code = code
        self.message = message
        self.body = body
    }

    /// The error a non-2xx reply stands for.
    init(reply: DaemonReply) {
        let error = reply.json?["error"]
        self.init(
            status: reply.status, code: error?["code"]?.stringValue,
            message: error?["message"]?.stringValue ?? "\(reply.status) \(HTTPResponseStatus(statusCode: reply.status).reasonPhrase)", body: reply.body
        )
    }

    /// A 2xx reply without the field a call reads.
    static func malformed(_ what: String, in reply: DaemonReply) -> AgentHostClientError {
        AgentHostClientError(status: 0, code: nil, message: "the daemon's reply has no \(what): \(reply.body.prefix(200))", body: reply.body)
    }

    /// Whether the daemon refused the request itself (4xx): retrying it cannot help.
    public var isRefusal: Bool { (400..<500).contains(status) }

    public var description: String { message }
}
