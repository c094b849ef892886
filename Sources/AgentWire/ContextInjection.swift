/// The host services behind `run.inject` and `run.defer` (agent_plugin.h,
/// `call_service`): model-only context that joins the conversation at the
/// running turn's next step boundary, or at the next turn's first model request.
extension HostService {
    /// Add model-only context: `ContextInjectRequest` in, `ContextInjectReply` out.
    /// The reply comes once the injection is durable (a log record): a crash
    /// after it neither loses it nor gives it to the model twice.
    public static let contextInject = "context.inject"
    /// Register work to run after this turn completes, whose result is injected
    /// before the next turn: `DeferStartRequest` in, `{}` out. The host later runs
    /// it through `call_hook` (`runDeferred`) and records its result.
    public static let deferStart = "defer.start"
}

/// plugin → host, request of `context.inject`.
public struct ContextInjectRequest: Codable, Sendable, Hashable {
    /// What the model reads, as the text of a message of its own.
    public var text: String

    /// A request.
    ///
    /// - Parameters:
    ///   - text: The context for the model.
    public init(text: String) {
        self.text = text
    }
}

/// host → plugin, result of `context.inject`.
public struct ContextInjectReply: Codable, Sendable, Hashable {
    /// The seq of the injection's log record: its id in `data-context-injected`.
    public var seq: Int64

    /// A reply.
    ///
    /// - Parameters:
    ///   - seq: The injection's log seq.
    public init(seq: Int64) {
        self.seq = seq
    }
}

/// plugin → host, request of `defer.start`.
public struct DeferStartRequest: Codable, Sendable, Hashable {
    /// The plugin's id of the work; the host names it in `runDeferred`.
    public var id: String
    /// The longest the work may run, from when the host starts it.
    public var timeoutSeconds: Double

    /// A request.
    ///
    /// - Parameters:
    ///   - id: The plugin's id of the work, unique within the plugin.
    ///   - timeoutSeconds: Its time limit, in seconds.
    public init(id: String, timeoutSeconds: Double) {
        self.id = id
        self.timeoutSeconds = timeoutSeconds
    }
}

/// plugin → host, the result of a `runDeferred` hook call.
public struct DeferredResult: Codable, Sendable, Hashable {
    /// What the model reads before the next turn; nil: nothing to inject.
    public var text: String?

    /// A result.
    ///
    /// - Parameters:
    ///   - text: The context to inject, or nil.
    public init(text: String?) {
        self.text = text
    }
}
