import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import AgentHost

/// A sub-agent session is readable with a read token for any session above it,
/// never writable with one; its parent's info lists it. In-process, on the real
/// router and SQLite, with the session rows a sub-agent call leaves.
@Suite struct HTTPSubAgentAccessTests {
    /// parent → parent~call-1 → parent~call-1~call-2, and an unrelated chat.
    private func fixtureWithFamily() async throws -> HTTPRouterFixture {
        let fixture = try await HTTPRouterFixture()
        try await fixture.addSession("parent")
        try await fixture.addSession("other")
        _ = try await fixture.storage.createSession(
            SessionRow(chatId: "parent~call-1", agent: "researcher", parentChatId: "parent", toolCallId: "call-1"))
        _ = try await fixture.storage.createSession(
            SessionRow(chatId: "parent~call-1~call-2", agent: "my-chat", parentChatId: "parent~call-1", toolCallId: "call-2"))
        // Named like a child of `parent`, but not created by its call: the name grants nothing.
        _ = try await fixture.storage.createSession(SessionRow(chatId: "parent~forged", agent: "my-chat"))
        return fixture
    }

    @Test func aParentsReadTokenReadsItsDescendantsAndNothingElse() async throws {
        let fixture = try await fixtureWithFamily()
        defer { fixture.remove() }
        let parentToken = try await fixture.token(read: ["parent"], write: ["parent"])
        let childToken = try await fixture.token(read: ["parent~call-1"])
        let otherToken = try await fixture.token(read: ["other"], write: ["other"])
        try await fixture.application.test(.router) { client in
            for chatId in ["parent~call-1", "parent~call-1~call-2"] {
                for path in ["/realtime/v1/sessions/\(chatId)/messages", "/realtime/v1/sessions/\(chatId)/turn"] {
                    let response = try await client.send(.get, path, token: parentToken)
                    #expect(response.status == .ok, "\(path): \(response.text)")
                }
                let refused = try await client.send(.get, "/realtime/v1/sessions/\(chatId)/messages", token: otherToken)
                #expect(refused.status == .forbidden)
                #expect(refused.errorMessage == "the token has no read scope for session `\(chatId)`")
            }
            // Down the tree, not up it: a child's token does not read its parent.
            #expect(try await client.send(.get, "/realtime/v1/sessions/parent~call-1~call-2/messages", token: childToken).status == .ok)
            #expect(try await client.send(.get, "/realtime/v1/sessions/parent/messages", token: childToken).status == .forbidden)
            #expect(try await client.send(.get, "/realtime/v1/sessions/parent~forged/messages", token: parentToken).status == .forbidden)
            // Reading is all: the parent's write scope does not write to its children.
            let write = try await client.send(
                .post, "/realtime/v1/sessions/parent~call-1/in", token: parentToken,
                body: #"{"kind":"message","message":{"id":"m1","role":"user","parts":[{"type":"text","text":"hi"}]}}"#
            )
            #expect(write.status == .forbidden)
            #expect(write.errorMessage == "the token has no write scope for session `parent~call-1`")
        }
    }

    @Test func aSessionsInfoListsItsChildren() async throws {
        let fixture = try await fixtureWithFamily()
        defer { fixture.remove() }
        let secret = fixture.secretKey.value
        try await fixture.application.test(.router) { client in
            let parent = try await client.send(.get, "/api/v1/sessions/parent", token: secret)
            #expect(parent.status == .ok, "\(parent.text)")
            let children = parent.json?["children"] as? [[String: Any]] ?? []
            #expect(children.map { $0["chatId"] as? String } == ["parent~call-1"])
            #expect(children.first?["toolCallId"] as? String == "call-1")
            #expect(children.first?["agent"] as? String == "researcher")
            let child = try await client.send(.get, "/api/v1/sessions/parent~call-1", token: secret)
            #expect(child.json?["parentChatId"] as? String == "parent")
            #expect((child.json?["children"] as? [[String: Any]])?.map { $0["chatId"] as? String } == ["parent~call-1~call-2"])
            let leaf = try await client.send(.get, "/api/v1/sessions/other", token: secret)
            #expect((leaf.json?["children"] as? [Any])?.isEmpty == true)
        }
    }
}
