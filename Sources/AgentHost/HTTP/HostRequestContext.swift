import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basics plus the peer
/// address of the connection.
///
/// The peer address is what the playground's loopback-only routes check. It comes
/// from the socket, never from a header, so a client cannot claim to be local.
struct HostRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
