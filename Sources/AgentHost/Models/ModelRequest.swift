import AgentWire

/// One step's request: the conversation in provider-neutral form.
public struct ModelRequest: Sendable {
    public var system: String?
    public var messages: [ModelMessage]
    public var tools: [ToolSpec]
    /// Text of this step's answer already streamed before the step was interrupted
    /// (a crash, a migration). A model that `supportsAssistantPrefill` continues
    /// after it and streams only the continuation; others ignore it and answer anew.
    public var assistantPrefix: String?
    /// Prompt cache breakpoints the agent's `prepareMessages` set (Anthropic only).
    public var cacheBreakpoints: Set<ModelCacheBreakpoint> = []

    public init(system: String?, messages: [ModelMessage], tools: [ToolSpec], assistantPrefix: String? = nil) {
        self.system = system
        self.messages = messages
        self.tools = tools
        self.assistantPrefix = assistantPrefix
    }
}
