import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel with the daemon's connection limits
/// (`ConnectionLimits`): a connection limit answered with `503`, read
/// deadlines, and parse errors in the error shape. Its one addition to the
/// pipeline Hummingbird builds is `RequestBytesHandler` in front of the HTTP
/// decoder; the rest are Hummingbird's `additionalChannelHandlers`.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(RequestBytesHandler())
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the daemon's connection limits.
    /// - Parameters:
    ///   - limits: The deadlines and the connection limit.
    static func guardedHTTP1(_ limits: ConnectionLimits) -> HTTPServerBuilder {
        let connections = OpenConnections()
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration()
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: .init(
                additionalChannelHandlers: [
                    ConnectionLimitHandler(connections: connections, limit: limits.maxConnections),
                    ParseErrorHandler(headerLimit: decoder.maxHeaderListSize),
                    RequestDeadlineHandler(limits: limits),
                ],
                httpDecoderConfiguration: decoder
            )))
        }
    }
}
