import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Request and response helpers for the in-process route tests.
extension TestClientProtocol {
    /// One request: `Authorization: Bearer <token>` when a token is given, the body as JSON text.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as a JSON object, or nil.
    var json: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
    }

    /// `error.code` of the JSON error shape.
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }

    /// `error.message` of the JSON error shape.
    var errorMessage: String? { (json?["error"] as? [String: Any])?["message"] as? String }

    var text: String { String(buffer: body) }
}
