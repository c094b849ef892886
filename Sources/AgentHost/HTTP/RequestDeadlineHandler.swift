import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Closes a connection that is too slow to send its request, or idle too long
/// (`ConnectionLimits`, `RequestDeadlines`), and ends one whose response said
/// `Connection: close` once that response is written (a 413 answered from
/// `Content-Length`, before the body: the client stops sending it).
///
/// Hummingbird's own `idleTimeout` is one timer reset by every parsed part:
/// a request trickled in a byte at a time never completes a part and is cut
/// only by it, a body trickled a chunk at a time is never cut, and a
/// keep-alive wait cannot differ from a slow head. This handler runs the three
/// deadlines apart; it sits after the HTTP codec and hears of raw bytes from
/// `RequestBytesHandler`.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private var deadlines = RequestDeadlines()
    /// The deadline whose timer runs, and the timer.
    private var armed: (deadline: RequestDeadlines.Deadline, timer: Scheduled<Void>)?
    /// The response being written said `Connection: close`.
    private var closeAfterResponse = false

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { rearm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        rearm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        armed?.timer.cancel()
        armed = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        armed?.timer.cancel()
        armed = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RequestBytesArrived else { return context.fireUserInboundEventTriggered(event) }
        deadlines.bytesArrived()
        rearm(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: deadlines.headReceived()
        case .body: break
        case .end: deadlines.endReceived()
        }
        rearm(context)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            closeAfterResponse = head.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            deadlines.responseEnded()
            guard closeAfterResponse else {
                context.write(data, promise: promise)
                return rearm(context)
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            ErrorResponse.finishAfter(written.futureResult, channel: context.channel)
            rearm(context)
        }
    }

    /// Starts the timer of the deadline the connection is under now, unless it
    /// already runs: more bytes of the same head do not give it more time.
    private func rearm(_ context: ChannelHandlerContext) {
        let wanted = deadlines.current
        guard wanted != armed?.deadline else { return }
        armed?.timer.cancel()
        armed = nil
        guard let wanted else { return }
        // Cancelled on this event loop before it is due, a timer never runs.
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(duration(of: wanted))) {
            context.close(promise: nil)
        }
        armed = (wanted, timer)
    }

    private func duration(of deadline: RequestDeadlines.Deadline) -> Duration {
        switch deadline {
        case .keepAlive: limits.keepAliveTimeout
        case .header: limits.headerTimeout
        case .body: limits.bodyTimeout
        }
    }
}
