import AgentWire
import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes

extension ErrorResponse {
    /// The error shape's body: `{"error": {"code", "message"}}`.
    static func body(for error: AgentHostError) -> (status: HTTPResponse.Status, body: ByteBuffer) {
        let (status, code) = Self.status(for: error)
        let body = (try? WireCoding.encode(ErrorResponse(error: Body(code: code, message: error.description)))) ?? Data()
        return (status, ByteBuffer(bytes: body))
    }

    /// Answers `error` on a connection from a channel handler below the router
    /// (no request reached it: the connection limit, a malformed request), then
    /// ends the connection (`finishAfter`).
    /// - Parameters:
    ///   - error: What the client is told.
    ///   - context: The context of a handler after the HTTP codec (it writes `HTTPResponsePart`s).
    static func answerAndClose(_ error: AgentHostError, context: ChannelHandlerContext) {
        let (status, body) = Self.body(for: error)
        let head = HTTPResponse(status: status, headerFields: [
            .contentType: "application/json", .contentLength: "\(body.readableBytes)", .connection: "close",
        ])
        context.write(NIOAny(HTTPResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPResponsePart.body(body)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: written)
        finishAfter(written.futureResult, channel: context.channel)
    }

    /// Once `written` completes, closes the connection's sending side only: a
    /// full close with the client's bytes still unread would reset the
    /// connection, and a reset may discard the answer before the client reads
    /// it. The client sees the end and closes; one that keeps sending is cut
    /// by its read deadline (`RequestDeadlineHandler`).
    static func finishAfter(_ written: EventLoopFuture<Void>, channel: any Channel) {
        written.whenComplete { _ in
            channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
        }
    }
}
