/// One durable change to a chat's history, made by an agent's `onAction`
/// (or a C plugin's `call_hook` result). The host commits the edits of one
/// action as one `data-history-changed` control record, which the history
/// folds like any other record: `/messages`, the model's context, a replay
/// and a wake after a crash all see the same conversation.
///
/// JSON: `{"op":"rollback","messageId":id}` (keep the messages up to and
/// including `id`, drop the rest), `{"op":"remove","messageId":id}` (drop that
/// message), `{"op":"replace","message":UIMessage}` (the message with that id
/// becomes this one). An id the history does not hold changes nothing.
public enum HistoryEdit: Codable, Sendable, Hashable {
    /// Keep the messages up to and including this one; drop every one after it.
    case rollback(to: String)
    /// Drop this message.
    case remove(String)
    /// Replace the message that has this message's id.
    case replace(UIMessage)

    private enum CodingKeys: String, CodingKey {
        case op, messageId, message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .op) {
        case "rollback": self = .rollback(to: try container.decode(String.self, forKey: .messageId))
        case "remove": self = .remove(try container.decode(String.self, forKey: .messageId))
        case "replace": self = .replace(try container.decode(UIMessage.self, forKey: .message))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .op, in: container, debugDescription: "unknown history edit `\(other)` (rollback, remove, replace)"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .rollback(let id):
            try container.encode("rollback", forKey: .op)
            try container.encode(id, forKey: .messageId)
        case .remove(let id):
            try container.encode("remove", forKey: .op)
            try container.encode(id, forKey: .messageId)
        case .replace(let message):
            try container.encode("replace", forKey: .op)
            try container.encode(message, forKey: .message)
        }
    }
}

/// What an `onAction` hook answers through `call_hook`'s `done` (agent_plugin.h):
/// `{"respond"?:bool, "history"?:[HistoryEdit]}`. `{}` — the action changed
/// nothing the host keeps and starts no turn.
public struct ActionOutcome: Codable, Sendable, Hashable {
    /// Start a turn answering the action (reason `action`), after the edits.
    public var respond: Bool?
    /// The history edits, applied in order.
    public var history: [HistoryEdit]?

    /// - Parameters:
    ///   - respond: Start a turn after the edits.
    ///   - history: The edits, in order.
    public init(respond: Bool? = nil, history: [HistoryEdit]? = nil) {
        self.respond = respond
        self.history = history
    }
}

extension HistoryEdit {
    /// Edits as the JSON a `data-history-changed` part carries.
    static func json(_ edits: [HistoryEdit]) -> JSONValue {
        (try? WireCoding.decode(JSONValue.self, from: WireCoding.encode(edits))) ?? .array([])
    }

    /// The edits a `data-history-changed` part carries; nil when they do not decode.
    static func edits(from json: JSONValue) -> [HistoryEdit]? {
        try? WireCoding.decode([HistoryEdit].self, from: WireCoding.encode(json))
    }
}
