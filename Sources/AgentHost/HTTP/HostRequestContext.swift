import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basics, the peer address
/// of the connection, and who the caller is once a route group's auth
/// middleware has admitted the request.
///
/// The peer address is what the playground's loopback-only routes check. It comes
/// from the socket, never from a header, so a client cannot claim to be local.
struct HostRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// The request's connection, for a stream that must end it after its last
    /// write has gone out (`SSEResponse` at shutdown).
    let connection: any Channel
    /// Set by the group's auth middleware; nil on the unauthenticated routes
    /// (`/healthz`, `/metrics`, the playground's static files).
    var principal: Principal?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        connection = source.channel
        principal = nil
    }

    /// The caller admitted by the group's auth middleware.
    ///
    /// A handler that asks for it on a group without auth middleware is a
    /// wiring mistake of this daemon, so that is an internal error, never a 401.
    func authenticatedPrincipal() throws(AgentHostError) -> Principal {
        guard let principal else { throw .internalError("route has no auth middleware") }
        return principal
    }
}
