import NIOCore

/// Said on the pipeline by `RequestBytesHandler` before each read's bytes go
/// to the HTTP decoder: the first byte of a request starts its header deadline,
/// which the decoder's parts alone cannot tell (it says nothing until the head
/// is complete).
struct RequestBytesArrived: Sendable {}

/// The first handler of a connection, before the HTTP decoder: tells
/// `RequestDeadlineHandler` that bytes came in (`RequestBytesArrived`).
final class RequestBytesHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(RequestBytesArrived())
        context.fireChannelRead(data)
    }
}
