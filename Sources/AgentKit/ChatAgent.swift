/// A chat agent: an id the daemon routes sessions to, the tools the model may
/// call, and `run`, called once per turn with the conversation so far.
///
/// ```swift
/// let myChat = ChatAgent(id: "my-chat") { run in
///     try await streamText(model: .default, messages: run.messages,
///                          signal: run.signal, stopWhen: .stepCount(15))
/// }
/// ```
public struct ChatAgent: Sendable {
    public let id: String
    public let tools: [Tool]
    let run: @Sendable (ChatRun) async throws -> StreamTextResult

    public init(
        id: String,
        tools: [Tool] = [],
        run: @escaping @Sendable (ChatRun) async throws -> StreamTextResult
    ) {
        precondition(!id.isEmpty, "an agent needs an id")
        self.id = id
        self.tools = tools
        self.run = run
    }

    var manifest: AgentManifest {
        AgentManifest(id: id, tools: tools.map(\.spec))
    }
}

/// What `run` receives for one turn.
public struct ChatRun: Sendable {
    public let chatId: String
    /// The whole conversation, the newest user message last.
    public let messages: [UIMessage]
    /// Fires when the user stops the turn or the host cancels it.
    public let signal: AbortSignal
    /// The agent's tools, ready to hand to `streamText`.
    public let tools: [Tool]
    let turnId: UInt64

    /// Write a custom `data-<name>` part into the response stream.
    public func writeData(_ name: String, _ data: JSONValue, id: String? = nil, transient: Bool = false) throws {
        var chunk: [String: JSONValue] = ["type": .string("data-\(name)"), "data": data]
        if let id { chunk["id"] = .string(id) }
        if transient { chunk["transient"] = true }
        try PluginRuntime.host.emit(turnId: turnId, chunk: .object(chunk))
    }
}

/// Cancellation as the seed's `signal`: set when the host cancels the turn.
public struct AbortSignal: Sendable {
    public var isAborted: Bool { Task.isCancelled }

    /// Throws `CancellationError` once the turn was stopped.
    public func throwIfAborted() throws {
        try Task.checkCancellation()
    }
}
