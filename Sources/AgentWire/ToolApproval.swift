/// Whether a person must approve a tool call before the tool runs, as the
/// manifest says it: `"needsApproval": true` (every call), `"when"` (the plugin
/// decides per call, asked through `call_tool` with `"approvalCheck": true`), or
/// absent / `false` (never).
public enum ToolApproval: Sendable, Hashable {
    /// The tool runs without asking.
    case never
    /// Every call waits for an approval.
    case always
    /// The plugin decides from each call's input (`ToolCallRequest.approvalCheck`).
    case perCall
}

extension ToolApproval: Codable {
    /// Reads `true`/`false`, or `"always"`/`"when"`/`"never"`.
    ///
    /// - Parameters:
    ///   - decoder: The decoder positioned at the manifest value.
    /// - Throws: `DecodingError.dataCorrupted` for any other value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = flag ? .always : .never
            return
        }
        switch try container.decode(String.self) {
        case "always": self = .always
        case "when": self = .perCall
        case "never": self = .never
        case let other:
            throw DecodingError.dataCorrupted(.init(
                codingPath: container.codingPath,
                debugDescription: "needsApproval must be true, false, \"always\", \"when\" or \"never\", not \"\(other)\""
            ))
        }
    }

    /// Writes `true`, `false` or `"when"`.
    ///
    /// - Parameters:
    ///   - encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .never: try container.encode(false)
        case .always: try container.encode(true)
        case .perCall: try container.encode("when")
        }
    }
}

/// plugin → host, the reply to a `call_tool` whose request has `"approvalCheck": true`:
/// whether this call, with this input, waits for a person.
public struct ToolApprovalCheck: Codable, Sendable, Hashable {
    /// True: the host asks for approval before it runs the tool.
    public var needsApproval: Bool

    /// A reply.
    ///
    /// - Parameters:
    ///   - needsApproval: Whether the call waits for a person.
    public init(needsApproval: Bool) {
        self.needsApproval = needsApproval
    }
}
