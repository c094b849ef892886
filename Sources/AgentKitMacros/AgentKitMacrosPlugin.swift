import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin that serves AgentKit's macros to the compiler.
@main
struct AgentKitMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [AgentPluginMacro.self]
}
