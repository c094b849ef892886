import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request the HTTP decoder cannot parse in the error shape and
/// closes the connection: headers past the decoder's limit (a huge
/// `Authorization` token) are `431 headers_too_large`, anything else
/// malformed `400 bad_request`. Without it Hummingbird answers an empty 400.
final class ParseErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The decoder's limit on all header fields together (Hummingbird's default).
    private let headerLimit: Int
    /// A response is being written: the error cannot be answered on its own.
    private var responding = false

    init(headerLimit: Int) {
        self.headerLimit = headerLimit
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? HTTPParserError, !responding else { return context.fireErrorCaught(error) }
        switch error {
        case .headerOverflow:
            ErrorResponse.answerAndClose(.headersTooLarge(limit: headerLimit), context: context)
        default:
            ErrorResponse.answerAndClose(.badRequest("malformed HTTP request (\(error))"), context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .body: break
        case .end: responding = false
        }
        context.write(data, promise: promise)
    }
}
