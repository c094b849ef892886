/// Declares the plugin's exported entry point: the one line every Swift plugin
/// needs so the daemon can load its agents.
///
/// ```swift
/// import AgentKit
///
/// let myChat = ChatAgent(id: "my-chat") { run in
///     try await streamText(messages: run.messages, signal: run.signal, stopWhen: .stepCount(15))
/// }
///
/// #agentPlugin(version: "1.0.0", agents: [myChat])
/// ```
///
/// Write it once per plugin, at file scope. It expands to the C function
/// `agent_plugin_entry_v1` (a Swift function named `agentPluginEntry`) that hands
/// the agents to ``AgentPlugin/export(host:out:size:)``; the host looks that
/// symbol up after `dlopen`. Both arguments are evaluated each time the host
/// calls the entry point, which it does once per loaded build.
///
/// - Parameters:
///   - version: A label for humans, shown by `agent-host` and handed to
///     `ChatAgent.migrate` as `fromVersion` by the next build. A build's
///     identity is its content hash, not this string.
///   - agents: The agents this plugin serves; their ids must be distinct, or
///     the host refuses the plugin.
@freestanding(declaration, names: named(agentPluginEntry))
public macro agentPlugin(version: String, agents: [ChatAgent]) =
    #externalMacro(module: "AgentKitMacros", type: "AgentPluginMacro")
