import AgentWire
import Crypto
import Foundation
import Synchronization

/// Serves `agent.call`: runs another agent as a child session of the calling
/// turn's session, streams the child's answer so far into the parent's tool
/// call as preliminary outputs, and returns the finished answer.
///
/// The child is an ordinary session (its own log, stream, history, crash
/// recovery and redeploys); only its row names its parent and tool call. Its
/// chat id is derived from the parent's and the call's key, and its input is
/// written with a fixed idempotency key, so a call made again — the parent's
/// turn resumed after a crash, a retried step — finds the same child and the
/// same turn, and reads its answer from the log: one call, one child turn.
final class SubAgentCalls: Sendable {
    let limits: SubAgentLimits
    private let storage: any SessionStorage
    /// Bound once the directory exists (it is built from services that hold this).
    private let directory = Mutex<SessionDirectory?>(nil)
    /// Sub-agent calls running, per parent chat: the fan-out limit counts these.
    private let running = Mutex<[String: Int]>([:])

    /// The idempotency key of a child's one input: a child answers one call.
    static let inputKey = "agent.call"
    /// The fewest milliseconds between two preliminary outputs of one call: a
    /// long answer streams a snapshot every so often, not one per word.
    static let snapshotInterval = Duration.milliseconds(100)

    /// - Parameters:
    ///   - limits: The depth and fan-out limits.
    ///   - storage: Where session rows are read (the parent chain, an existing child).
    init(limits: SubAgentLimits, storage: any SessionStorage) {
        self.limits = limits
        self.storage = storage
    }

    /// Makes `sessions` the directory children are created in.
    func bind(_ sessions: SessionDirectory) {
        directory.withLock { $0 = sessions }
    }

    /// The child session's chat id: readable when it fits, a digest otherwise;
    /// the same for the same parent and key, whenever it is asked.
    static func childChatId(parent: String, key: String) -> String {
        let readable = "\(parent)~\(key)"
        if readable.count <= 256 { return readable }
        return "sub-" + SHA256.hash(data: Data("\(parent)\u{0}\(key)".utf8)).lowercaseHex
    }

    /// Runs one call to its end: the child's answer, or an error that says why not.
    /// - Parameters:
    ///   - request: The plugin's request.
    ///   - parentChatId: The calling turn's session.
    ///   - parentInSeq: The calling turn's input seq: keys a call made from `run`.
    ///   - channel: The calling turn's channel, which gets the preliminary outputs.
    func call(
        _ request: AgentCallRequest, parentChatId: String, parentInSeq: Int64?, channel: TurnChannel
    ) async throws -> AgentCallReply {
        guard let sessions = directory.withLock({ $0 }) else {
            throw AgentHostError.internalError("sub-agent calls are not available in this host")
        }
        let key = request.toolCallId ?? "turn\(parentInSeq ?? 0)-\(request.key ?? "call")"
        let childId = Self.childChatId(parent: parentChatId, key: key)
        if let existing = try await storage.session(chatId: childId) {
            // A call made again: the child exists and answers it; no limit applies twice.
            guard existing.parentChatId == parentChatId else { throw SubAgentError.notAChild(chatId: childId) }
        } else {
            let depth = try await depth(of: parentChatId)
            guard depth < limits.maxDepth else {
                throw SubAgentError.depthLimit(agent: request.agent, depth: depth, limit: limits.maxDepth)
            }
        }
        guard acquire(parentChatId) else {
            throw SubAgentError.fanOutLimit(agent: request.agent, limit: limits.maxConcurrentPerSession)
        }
        defer { release(parentChatId) }
        do {
            _ = try await sessions.create(
                chatId: childId, agent: request.agent, clientData: nil, metadata: nil,
                parent: (chatId: parentChatId, toolCallId: request.toolCallId)
            )
        } catch AgentHostError.unknownAgent {
            throw SubAgentError.unknownAgent(request.agent)
        }
        let input = InputRecord(
            kind: .message, message: .text(request.message, role: "user", id: "call-\(key)"), trigger: "submit-message"
        )
        let (submission, subscription) = try await sessions.withSession(childId) { session in
            // Subscribe first: the turn's records are then either in storage or on the stream.
            let subscription = try await session.subscribe()
            return (try await session.accept(input, idempotencyKey: Self.inputKey), subscription)
        }
        var follower = SubAgentFollower(
            chatId: childId, agent: request.agent, inSeq: submission.seq, toolCallId: request.toolCallId, channel: channel
        )
        do {
            return try await follower.follow(from: subscription, storage: storage) {
                try await sessions.withSession(childId) { try await $0.subscribe() }
            }
        } catch {
            guard Task.isCancelled || error is CancellationError else { throw error }
            if channel.isEndingForGood {
                // The parent was stopped: so is its child, before the parent's turn ends.
                await Task {
                    _ = try? await sessions.withSession(childId) { session in
                        try await session.submit(InputRecord(kind: .stop), idempotencyKey: nil)
                    }
                }.value
            }
            throw error
        }
    }

    /// How many sub-agent levels are above `chatId` (0 for a chat a client started).
    private func depth(of chatId: String) async throws -> Int {
        var depth = 0
        var current = chatId
        // A chain longer than the limit is past it already: no need to read on.
        while depth <= limits.maxDepth, let parent = try await storage.session(chatId: current)?.parentChatId {
            depth += 1
            current = parent
        }
        return depth
    }

    private func acquire(_ parent: String) -> Bool {
        running.withLock { running in
            let count = running[parent, default: 0]
            guard count < limits.maxConcurrentPerSession else { return false }
            running[parent] = count + 1
            return true
        }
    }

    private func release(_ parent: String) {
        running.withLock { running in
            let count = (running[parent] ?? 1) - 1
            running[parent] = count > 0 ? count : nil
        }
    }
}
