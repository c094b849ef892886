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
        case .storageUnavailable: (.serviceUnavailable, "storage_unavailable")
        }
    }

    /// Any error a route throws, as the client should see it.
    static func classify(_ error: any Error) -> AgentHostError {
        switch error {
        case let error as AgentHostError:
            return error
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
        let (status, code) = Self.status(for: error)
        let body = (try? WireCoding.encode(ErrorResponse(error: Body(code: code, message: error.description)))) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json"]
        // Storage comes back by itself (the probe retries every few seconds at most).
        if case .storageUnavailable = error { headers[.retryAfter] = "2" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
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
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let classified = ErrorResponse.classify(error)
            if case .internalError = classified {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            return ErrorResponse.response(for: classified)
        }
    }
}
