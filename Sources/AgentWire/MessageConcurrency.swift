/// What a message that arrives while the agent is busy (a turn runs, or
/// messages already wait) does: an agent declares it in its manifest, and a
/// client may ask for one message (`"mode"` on the input record). Cloudflare's
/// `messageConcurrency`, plus `steer`.
///
/// On the wire: `"queue"`, `"steer"`, `"latest"`, `"merge"`, `"drop"`, or
/// `{"strategy": "debounce", "debounceMs": 500}` (a bare `"debounce"` waits 500 ms).
public enum MessageConcurrency: Sendable, Hashable, Codable {
    /// Every message gets its own turn, in order (the default).
    case queue
    /// Injected into the running turn at its next step boundary, where the model
    /// sees it; a turn that reaches no boundary leaves it to be the next turn.
    case steer
    /// Only the newest waiting message gets a turn: the ones it supersedes are
    /// dropped (the running turn is not stopped).
    case latest
    /// The waiting messages are answered together by one turn.
    case merge
    /// Refused (HTTP 409) while the agent is busy; the client rolls back.
    case drop
    /// As `latest`, and the next turn waits until no message came for `milliseconds`.
    case debounce(milliseconds: Int)

    /// The default quiet window of a bare `"debounce"`.
    public static let defaultDebounceMilliseconds = 500

    /// The strategy's wire name.
    public var name: String {
        switch self {
        case .queue: "queue"
        case .steer: "steer"
        case .latest: "latest"
        case .merge: "merge"
        case .drop: "drop"
        case .debounce: "debounce"
        }
    }

    /// A strategy by wire name; nil for a name this host does not know.
    /// - Parameters:
    ///   - name: `queue`, `steer`, `latest`, `merge`, `drop` or `debounce`.
    ///   - debounceMilliseconds: The quiet window for `debounce`.
    public init?(name: String, debounceMilliseconds: Int? = nil) {
        switch name {
        case "queue": self = .queue
        case "steer": self = .steer
        case "latest": self = .latest
        case "merge": self = .merge
        case "drop": self = .drop
        case "debounce": self = .debounce(milliseconds: max(0, debounceMilliseconds ?? Self.defaultDebounceMilliseconds))
        default: return nil
        }
    }

    private enum CodingKeys: String, CodingKey {
        case strategy, debounceMs
    }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            guard let value = Self(name: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown strategy `\(name)`"))
            }
            self = value
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .strategy)
        guard let value = Self(name: name, debounceMilliseconds: try container.decodeIfPresent(Int.self, forKey: .debounceMs)) else {
            throw DecodingError.dataCorruptedError(forKey: .strategy, in: container, debugDescription: "unknown strategy `\(name)`")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        if case .debounce(let milliseconds) = self {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .strategy)
            try container.encode(milliseconds, forKey: .debounceMs)
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(name)
        }
    }
}
