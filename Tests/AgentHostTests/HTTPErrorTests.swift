import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import AgentHost

/// Every error is `{"error": {"code": "...", "message": "..."}}` with the
/// status its code stands for; bad input never reaches a session.
@Suite struct HTTPErrorTests {
    @Test func errorsHaveOneShapeAndTheirStatus() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.addSession("chat")
        let secret = fixture.secretKey.value
        let token = try await fixture.token(read: ["chat"], write: ["chat"])
        let storage = fixture.storage
        try await fixture.application.test(.router) { client in
            let cases: [(TestResponse, HTTPResponse.Status, String)] = [
                (try await client.send(.post, "/api/v1/sessions", token: secret, body: "{not json"), .badRequest, "invalid_json"),
                (try await client.send(.post, "/api/v1/sessions", token: secret, body: ""), .badRequest, "invalid_json"),
                (try await client.send(.post, "/api/v1/sessions", token: secret, body: #"{"chatId":"z"}"#), .badRequest, "invalid_json"),
                (try await client.send(.post, "/api/v1/sessions", token: secret, body: #"{"chatId":"z","agent":"nope"}"#), .notFound, "unknown_agent"),
                (try await client.send(.post, "/realtime/v1/sessions/chat/in", token: token, body: #"{"kind":"message"}"#), .badRequest, "bad_request"),
                (try await client.send(.post, "/realtime/v1/sessions/chat/in", token: token, body: #"{"kind":"dance"}"#), .badRequest, "invalid_json"),
                (try await client.send(.get, "/realtime/v1/sessions/chat/out", token: token, headers: [.lastEventIDForTests: "-1"]), .badRequest, "bad_request"),
                (try await client.send(.get, "/api/v1/sessions?limit=0", token: secret), .badRequest, "bad_request"),
                (try await client.send(.get, "/api/v1/sessions?status=sleeping", token: secret), .badRequest, "bad_request"),
                (try await client.send(.get, "/api/v1/sessions/missing", token: secret), .notFound, "not_found"),
                (try await client.send(.get, "/realtime/v1/sessions/missing/messages", token: secret), .notFound, "not_found"),
                (try await client.send(.get, "/no/such/route"), .notFound, "not_found"),
                (try await client.send(.get, "/api/v1/no-such-route", token: secret), .notFound, "not_found"),
                // A known path with another method is 405 (with `Allow`), as HTTP says.
                (try await client.send(.delete, "/api/v1/sessions", token: secret), .methodNotAllowed, "method_not_allowed"),
                (try await client.send(.get, "/realtime/v1/sessions/chat/in", token: token), .methodNotAllowed, "method_not_allowed"),
            ]
            for (index, (response, status, code)) in cases.enumerated() {
                #expect(response.status == status, "case \(index): \(response.text)")
                #expect(response.headers[.contentType] == "application/json", "case \(index)")
                let error = try #require(response.json?["error"] as? [String: Any], "case \(index): \(response.text)")
                #expect(Set(error.keys) == ["code", "message"], "case \(index)")
                #expect(error["code"] as? String == code, "case \(index): \(response.text)")
                #expect((error["message"] as? String)?.isEmpty == false, "case \(index)")
                #expect(response.json?.count == 1, "case \(index)")
            }
            // Nothing above reached the log.
            #expect(try await storage.lastSeq(chatId: "chat") == 0)
        }
    }

    /// Bodies are read up to 1 MiB; one byte more is 413 `payload_too_large`.
    @Test func bodiesOverOneMebibyteAreRefused() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.addSession("chat")
        let token = try await fixture.token(read: ["chat"], write: ["chat"])
        // A valid input record padded to an exact size with spaces after the JSON.
        let record = #"{"kind":"dance"}"#
        @Sendable func padded(to size: Int) -> String { record + String(repeating: " ", count: size - record.utf8.count) }
        let secret = fixture.secretKey.value
        try await fixture.application.test(.router) { client in
            let atLimit = try await client.send(.post, "/realtime/v1/sessions/chat/in", token: token, body: padded(to: HTTPLimits.maximumBody))
            // Read whole: the answer is about its content, not its size.
            #expect(atLimit.status == .badRequest)
            #expect(atLimit.errorCode == "invalid_json")
            for path in ["/realtime/v1/sessions/chat/in", "/api/v1/sessions", "/api/chat/my-chat"] {
                let tooLarge = try await client.send(.post, path, token: secret, body: padded(to: HTTPLimits.maximumBody + 1))
                #expect(tooLarge.status == .contentTooLarge, "\(path)")
                #expect(tooLarge.errorCode == "payload_too_large", "\(path)")
            }
        }
    }
}

extension HTTPField.Name {
    static let lastEventIDForTests = HTTPField.Name("Last-Event-ID")!
}
