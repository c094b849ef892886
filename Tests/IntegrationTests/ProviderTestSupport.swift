import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// The provider and ToolsDemo suites, run one test at a time: each starts a
/// daemon, and starting a few dozen at once on a small machine slows the
/// timing-sensitive suites (redeploy, resume) that run beside them.
@Suite(.serialized) enum ProviderIntegration {}

/// Daemon environments that point a provider at a fake server.
enum ProviderEnvironment {
    static func anthropic(_ fake: FakeProviderServer, extra: [String: String] = [:]) -> [String: String] {
        [
            "AGENT_HOST_MODEL": "anthropic:claude-test",
            "ANTHROPIC_BASE_URL": fake.baseURL,
            "ANTHROPIC_API_KEY": "sk-ant-test-key",
            // Retries back off for a millisecond, not half a second.
            "AGENT_HOST_MODEL_RETRY_BASE_MS": "1",
            "AGENT_HOST_MODEL_MAX_ATTEMPTS": "3",
        ].merging(extra) { _, new in new }
    }

    static func openAI(_ fake: FakeProviderServer, extra: [String: String] = [:]) -> [String: String] {
        [
            "AGENT_HOST_MODEL": "openai:gpt-test",
            "OPENAI_BASE_URL": "\(fake.baseURL)/v1",
            "OPENAI_API_KEY": "sk-openai-test-key",
            "AGENT_HOST_MODEL_RETRY_BASE_MS": "1",
            "AGENT_HOST_MODEL_MAX_ATTEMPTS": "3",
        ].merging(extra) { _, new in new }
    }
}

extension DaemonProcess {
    static var toolsDemoPlugin: URL { binDirectory.appendingPathComponent("libToolsDemo.so") }

    /// Starts a daemon; the caller stops it.
    static func started(plugins: [URL] = [DaemonProcess.myChatPlugin], environment: [String: String]) throws -> DaemonProcess {
        let daemon = try DaemonProcess(plugins: plugins, environment: environment)
        try daemon.start()
        return daemon
    }
}

/// One chat on a running daemon: send a message, read that turn's events.
struct ChatSession {
    /// Replaced after a restart: the daemon then listens on another port.
    var client: AgentHostClient
    let chatId: String
    let token: String
    /// The last event read: the next turn is read from after it, not from the start.
    private var lastSeen: Int64?

    init(daemon: DaemonProcess, chatId: String, agent: String = "my-chat", clientData: JSONValue? = nil) async throws {
        client = daemon.client
        self.chatId = chatId
        let created = try await client.using(token: daemon.secretKey).createSession(chatId, agent: agent, clientData: clientData)
        guard !created.isCached else { throw TestFailure("session \(chatId) already existed") }
        token = created.publicAccessToken
    }

    /// Sends `text` and returns the events of the turn it started, up to `data-turn-complete`.
    mutating func turn(_ text: String) async throws -> [TestEvent] {
        try await client.sendMessage(text, chatId: chatId, token: token)
        return try await nextTurn()
    }

    /// The events of the next turn after those already read, up to its `data-turn-complete`.
    mutating func nextTurn() async throws -> [TestEvent] {
        let events = try await client.readEvents(chatId: chatId, token: token, lastEventId: lastSeen) {
            $0.last?.type == "data-turn-complete"
        }
        lastSeen = events.last?.id ?? lastSeen
        return events
    }

    func history() async throws -> [JSONValue] {
        let reply = try await client.send(.GET, "/realtime/v1/sessions/\(chatId)/messages", token: token)
        return reply.json?["messages"]?.arrayValue ?? []
    }
}

extension [TestEvent] {
    var types: [String] { map(\.type) }
    func first(_ type: String) -> JSONValue? { first { $0.type == type }?.json }
    var errorText: String? { first("error")?["errorText"]?.stringValue }
    var finishReason: String? { first("finish")?["finishReason"]?.stringValue }
}
