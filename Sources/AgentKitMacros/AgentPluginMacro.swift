import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// Expands `#agentPlugin(version:agents:)` into the plugin's one exported C entry
/// point, `agent_plugin_entry_v1` (agent_plugin.h), which hands the agents to
/// `AgentPlugin.export`. Every Swift plugin needs exactly this function, and
/// getting its `@_cdecl` name or C signature wrong only shows when the host
/// refuses the `.so`: generating it keeps that mistake out of agent code.
public struct AgentPluginMacro: DeclarationMacro {
    /// The symbol the host looks up with `dlsym`; `AGENT_PLUGIN_ENTRY_SYMBOL` in agent_plugin.h.
    static let entrySymbol = "agent_plugin_entry_v1"

    /// Builds the entry function from the macro's `version:` and `agents:` arguments.
    ///
    /// - Parameters:
    ///   - node: The `#agentPlugin(...)` use, whose argument expressions are copied
    ///     into the function body as written, so they type-check where the macro is used.
    ///   - context: The expansion context, used to report a missing argument.
    /// - Returns: One `@_cdecl("agent_plugin_entry_v1") public func agentPluginEntry`.
    public static func expansion(
        of node: some FreestandingMacroExpansionSyntax,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard let version = argument("version", of: node), let agents = argument("agents", of: node) else {
            // The macro's declaration requires both labels, so the compiler reports
            // the mistake first; this only guards against a changed declaration.
            context.diagnose(Diagnostic(node: node, message: AgentPluginDiagnostic.missingArguments))
            return []
        }
        // `AgentKit.AgentPlugin`: a plugin's own type of the same name must not
        // capture the entry point. The C types come in through AgentKit's
        // re-export of CAgentABI.
        return [
            """
            @_cdecl("\(raw: entrySymbol)")
            public func agentPluginEntry(
                _ host: UnsafePointer<agent_host_api>?,
                _ out: UnsafeMutablePointer<agent_plugin_api>?,
                _ size: Int
            ) -> agent_status {
                AgentKit.AgentPlugin(version: \(version), agents: \(agents)).export(host: host, out: out, size: size)
            }
            """
        ]
    }

    /// The expression passed under `label`, or nil when the use has no such argument.
    private static func argument(_ label: String, of node: some FreestandingMacroExpansionSyntax) -> ExprSyntax? {
        node.arguments.first { $0.label?.text == label }?.expression.trimmed
    }
}

/// What `#agentPlugin` reports when it cannot build the entry point.
enum AgentPluginDiagnostic: String, DiagnosticMessage {
    case missingArguments

    var message: String {
        switch self {
        case .missingArguments: "#agentPlugin needs `version:` and `agents:` arguments"
        }
    }

    var diagnosticID: MessageID { MessageID(domain: "AgentKitMacros", id: rawValue) }
    var severity: DiagnosticSeverity { .error }
}
