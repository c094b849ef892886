/// What one connection may cost the daemon before it is closed (README,
/// "Limits: connections"): how long a request may take to arrive, how long an
/// idle keep-alive connection stays open, and how many connections may be open.
///
/// The deadlines cover reading only: a response being written (an SSE stream
/// that runs for hours) is never cut by them.
public struct ConnectionLimits: Sendable, Hashable {
    /// From a request's first byte to the end of its head (slowloris).
    public var headerTimeout: Duration
    /// From a request's head to the end of its body (a `Content-Length` larger
    /// than the body, an unterminated chunked body, a body trickled in).
    public var bodyTimeout: Duration
    /// How long a connection with no request in flight stays open.
    public var keepAliveTimeout: Duration
    /// Open connections above which a new one is answered `503` and closed.
    public var maxConnections: Int

    /// - Parameters:
    ///   - headerTimeout: `serve --header-timeout`.
    ///   - bodyTimeout: `serve --body-timeout`.
    ///   - keepAliveTimeout: `serve --keep-alive-timeout`.
    ///   - maxConnections: `serve --max-connections`.
    public init(
        headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(60),
        keepAliveTimeout: Duration = .seconds(60), maxConnections: Int = 4096
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.maxConnections = maxConnections
    }
}
