import AgentKitMacros
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacrosGenericTestSupport
import Testing

@Suite struct AgentPluginMacroTests {
    private let macros: [String: MacroSpec] = ["agentPlugin": MacroSpec(type: AgentPluginMacro.self)]

    /// The host finds a plugin only by this exact symbol and C signature; a change
    /// here is an ABI break, not a refactoring. Arguments are copied as written,
    /// so calls and implicit members still type-check where the macro is used.
    @Test(arguments: [
        (#""1.0.0""#, "[myChat]"),
        (#""1""#, #"[makeUpgradeDemo(version: "1", upgrade: .drain)]"#),
    ])
    func expandsToTheCEntryPoint(version: String, agents: String) {
        assertMacroExpansion(
            """
            #agentPlugin(version: \(version), agents: \(agents))
            """,
            expandedSource: """
            @_cdecl("agent_plugin_entry_v1")
            public func agentPluginEntry(
                _ host: UnsafePointer<agent_host_api>?,
                _ out: UnsafeMutablePointer<agent_plugin_api>?,
                _ size: Int
            ) -> agent_status {
                AgentKit.AgentPlugin(version: \(version), agents: \(agents)).export(host: host, out: out, size: size)
            }
            """,
            macroSpecs: macros,
            failureHandler: recordFailure
        )
    }

    @Test func reportsMissingArguments() {
        assertMacroExpansion(
            """
            #agentPlugin(version: "1")
            """,
            expandedSource: "",
            diagnostics: [DiagnosticSpec(message: "#agentPlugin needs `version:` and `agents:` arguments", line: 1, column: 1)],
            macroSpecs: macros,
            failureHandler: recordFailure
        )
    }

    private func recordFailure(_ failure: TestFailureSpec) {
        Issue.record(
            Comment(rawValue: failure.message),
            sourceLocation: SourceLocation(
                fileID: failure.location.fileID, filePath: failure.location.filePath,
                line: failure.location.line, column: failure.location.column
            )
        )
    }
}
