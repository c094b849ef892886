@testable import AgentHost
import Testing

/// A sub-agent call's child session id: the same for the same parent and key
/// whenever it is asked (a retried call finds its child), different otherwise.
@Suite struct SubAgentChatIdTests {
    @Test func aShortIdIsReadable() {
        #expect(SubAgentCalls.childChatId(parent: "chat-1", key: "call_1") == "chat-1~call_1")
    }

    @Test func aLongIdIsADigestThatFitsAndStaysTheSame() {
        let parent = String(repeating: "p", count: 250)
        let first = SubAgentCalls.childChatId(parent: parent, key: "call_1")
        #expect(first.hasPrefix("sub-"))
        #expect(first.count <= 256)
        #expect(SubAgentCalls.childChatId(parent: parent, key: "call_1") == first)
        #expect(SubAgentCalls.childChatId(parent: parent, key: "call_2") != first)
    }

    @Test func limitsAreNeverBelowTheirFloor() {
        let limits = SubAgentLimits(maxDepth: -1, maxConcurrentPerSession: 0)
        #expect(limits.maxDepth == 0)
        #expect(limits.maxConcurrentPerSession == 1)
    }
}
