import AgentWire
import Foundation
import Hummingbird
import NIOCore

/// The one place errors become HTTP: `{"error": {"code": "...", "message": "..."}}`.
struct ErrorResponse: Encodable {
    struct Body: Encodable {
        var code: String
        var message: String
    }

    var error: Body

    static func status(for error: AgentHostError) -> (HTTPResponse.Status, String) {
        switch error {
        case .badRequest: (.badRequest, "bad_request")
        case .invalidJSON: (.badRequest, "invalid_json")
        case .payloadTooLarge: (.contentTooLarge, "payload_too_large")
        case .unsupportedMediaType: (.unsupportedMediaType, "unsupported_media_type")
        case .unauthorized: (.unauthorized, "unauthorized")
        case .forbidden: (.forbidden, "forbidden")
        case .notFound: (.notFound, "not_found")
        case .conflict: (.conflict, "conflict")
        case .unknownAgent: (.notFound, "unknown_agent")
        case .sessionClosed: (.conflict, "session_closed")
        case .internalError: (.internalServerError, "internal")
        case .inputTooLarge: (.contentTooLarge, "input_too_large")
        case .headersTooLarge: (.requestHeaderFieldsTooLarge, "headers_too_large")
        case .queueFull: (.tooManyRequests, "queue_full")
        case .idempotencyKeyReused: (.unprocessableContent, "idempotency_key_reused")
        case .tooManyConnections: (.serviceUnavailable, "too_many_connections")
        case .methodNotAllowed: (.methodNotAllowed, "method_not_allowed")
        case .storageUnavailable: (.serviceUnavailable, "storage_unavailable")
        case .ownerUnavailable: (.serviceUnavailable, "owner_unavailable")
        }
    }

    /// Any error a route throws, as the client should see it.
    static func classify(_ error: any Error) -> AgentHostError {
        switch error {
        case let error as AgentHostError:
            return error
        case let error as SessionOwnedElsewhere:
            // A route that cannot relay (e.g. an approval through a sub-agent) while another daemon owns the chat.
            return .ownerUnavailable("session `\(error.chatId)` is served by another daemon of the cluster right now; try again")
        case is NIOTooManyBytesError:
            return .payloadTooLarge(limit: HTTPLimits.maximumBody)
        case let error as DecodingError:
            return .invalidJSON("request body does not match the expected shape: \(Self.describe(error))")
        case let error as HTTPError where error.status == .notFound:
            return .notFound(error.body ?? "no such route")
        case let error as HTTPError where error.status == .methodNotAllowed:
            return .notFound(error.body ?? "method not allowed on this route")
        case let error as HTTPError where error.status.code < 500:
            return .badRequest(error.body ?? error.status.reasonPhrase)
        default:
            return .internalError("internal error")
        }
    }

    static func response(for error: AgentHostError) -> Response {
        let (status, body) = Self.body(for: error)
        var headers: HTTPFields = [.contentType: "application/json"]
        // Refused from `Content-Length`, the body was never read: the connection
        // closes after the answer (`RequestDeadlineHandler`) instead of reading it.
        if case .payloadTooLarge = error { headers[.connection] = "close" }
        if case .methodNotAllowed(let allowed) = error { headers[.allow] = allowed.joined(separator: ", ") }
        // Storage comes back by itself (the probe retries every few seconds at most).
        if case .storageUnavailable = error { headers[.retryAfter] = "2" }
        // An owner that died is replaced within the cluster's takeover interval.
        if case .ownerUnavailable = error { headers[.retryAfter] = "2" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            return context.underlyingError.map { "malformed JSON (\($0.localizedDescription))" } ?? "malformed JSON"
        case .keyNotFound(let key, let context):
            return "missing `\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))`"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at `\(context.codingPath.map(\.stringValue).joined(separator: "."))`"
        @unknown default:
            return "invalid"
        }
    }
}

/// Turns every thrown error into the JSON error shape; logs the unexpected ones.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The router's routes: a path that exists, asked with another method, is a
    /// 405 with `Allow` rather than a 404. Nil (inside route groups, where the
    /// route matched) leaves a 404 a 404.
    var routes: RouteCatalog?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var classified = ErrorResponse.classify(error)
            if let routes, let routerMiss = error as? HTTPError, routerMiss.status == .notFound, routerMiss.body == nil {
                let allowed = routes.methods(servingPath: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method) {
                    classified = .methodNotAllowed(allowed: allowed.map(\.rawValue))
                }
            }
            if case .internalError = classified {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            return ErrorResponse.response(for: classified)
        }
    }
}
