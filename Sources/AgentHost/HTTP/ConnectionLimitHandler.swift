import Hummingbird
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The daemon's open connections, counted across event loops.
final class OpenConnections: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts a new connection; whether it is within `limit` (it is counted either way: it holds a descriptor).
    func open(limit: Int) -> Bool {
        count.add(1, ordering: .relaxed).newValue <= limit
    }

    func close() {
        count.subtract(1, ordering: .relaxed)
    }
}

/// Admits a connection while fewer than `ConnectionLimits.maxConnections` are
/// open; past that, its request is answered `503` in the error shape and the
/// connection closed. Hummingbird's own `availableConnectionsDelegate` stops
/// accepting instead: clients then wait in the kernel's backlog with no answer.
final class ConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let connections: OpenConnections
    private let limit: Int
    private var refused = false

    init(connections: OpenConnections, limit: Int) {
        self.connections = connections
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        refused = !connections.open(limit: limit)
        let connections = connections
        context.channel.closeFuture.whenComplete { _ in connections.close() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refused else { return context.fireChannelRead(data) }
        // Nothing of a refused connection reaches the router; its first head is answered.
        if case .head = unwrapInboundIn(data) {
            ErrorResponse.answerAndClose(.tooManyConnections(limit: limit), context: context)
        }
    }
}
