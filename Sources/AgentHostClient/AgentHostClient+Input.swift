import AgentWire
import Foundation

extension AgentHostClient {
    /// Appends one input record to the session (`POST …/in`); returns its seq.
    /// A retry with the same `idempotencyKey` returns the first call's seq.
    /// - Parameters:
    ///   - input: The record: `{"kind": "message", "message": …}`, `{"kind": "stop"}`, ….
    ///   - chatId: The session's id.
    ///   - idempotencyKey: Makes retries safe; a fresh key each call by default.
    @discardableResult
    public func send(_ input: JSONValue, chatId: String, idempotencyKey: String? = UUID().uuidString) async throws -> Int64 {
        let reply = try await call(
            .POST, Self.sessionPath(chatId, "in"), body: input.jsonText,
            headers: idempotencyKey.map { [(name: "Idempotency-Key", value: $0)] } ?? []
        )
        guard let seq = reply.json?["seq"]?.doubleValue else { throw AgentHostClientError.malformed("seq", in: reply) }
        return Int64(seq)
    }

    /// Sends one user message; returns its seq.
    /// - Parameters:
    ///   - message: The message, as the UI holds it.
    ///   - chatId: The session's id.
    ///   - trigger: The AI SDK trigger, e.g. `submit-message`; omitted when nil.
    ///   - idempotencyKey: Makes retries safe; a fresh key each call by default.
    @discardableResult
    public func send(
        message: UIMessage, chatId: String, trigger: String? = nil, idempotencyKey: String? = UUID().uuidString
    ) async throws -> Int64 {
        var input: [String: JSONValue] = ["kind": "message", "message": try WireCoding.decode(JSONValue.self, from: WireCoding.encode(message))]
        if let trigger { input["trigger"] = .string(trigger) }
        return try await send(.object(input), chatId: chatId, idempotencyKey: idempotencyKey)
    }

    /// Sends an action for the agent's `onAction` (`{"kind":"action","action":…}`);
    /// returns its seq. It is not a turn unless the handler starts one: follow
    /// it with `follow(turn:)` until its `data-turn-complete` (after its
    /// `data-history-changed` when it edited the history, the answer when it
    /// started a turn, one `error` when the handler failed).
    /// - Parameters:
    ///   - action: The payload, any JSON the agent's handler decodes.
    ///   - chatId: The session's id.
    ///   - metadata: The client's data for the action, merged over the session's.
    ///   - idempotencyKey: Makes retries safe; a fresh key each call by default.
    @discardableResult
    public func sendAction(
        _ action: JSONValue, chatId: String, metadata: JSONValue? = nil, idempotencyKey: String? = UUID().uuidString
    ) async throws -> Int64 {
        var input: [String: JSONValue] = ["kind": "action", "action": action]
        if let metadata { input["metadata"] = metadata }
        return try await send(.object(input), chatId: chatId, idempotencyKey: idempotencyKey)
    }

    /// Drops every input waiting behind the running turn (the turn goes on);
    /// returns the seqs of the inputs dropped.
    /// - Parameters:
    ///   - chatId: The session's id.
    @discardableResult
    public func clearQueue(chatId: String) async throws -> [Int64] {
        let reply = try await call(
            .POST, Self.sessionPath(chatId, "in"), body: JSONValue.object(["kind": "clear-queue"]).jsonText,
            headers: [(name: "Idempotency-Key", value: UUID().uuidString)]
        )
        guard let cleared = reply.json?["cleared"]?.arrayValue else { throw AgentHostClientError.malformed("cleared", in: reply) }
        return cleared.compactMap { $0.doubleValue.map(Int64.init) }
    }

    /// Asks the running turn to stop; returns the stop record's seq.
    /// - Parameters:
    ///   - chatId: The session's id.
    @discardableResult
    public func stop(chatId: String) async throws -> Int64 {
        try await send(["kind": "stop"], chatId: chatId)
    }
}
