import AgentWire

/// Which plugins must have been built by the daemon's own toolchain.
///
/// Swift has no stable ABI on Linux, so a Swift plugin must come from exactly
/// the compiler that built the daemon (reference/plugins.md, rec. 5). A plugin
/// written in C only meets the host at the C ABI (`agent_plugin.h`), which every
/// C compiler for the platform honours; gcc and clang report different
/// `__VERSION__`s for compatible code. So a manifest saying `"language":"c"`
/// waives the toolchain check — and, to keep that from becoming a way around
/// it, the image must then contain no Swift code at all.
enum PluginLanguagePolicy {
    static let swift = "swift"
    static let c = "c"

    /// nil when the plugin may load; else why it is refused.
    static func problem(manifest: PluginManifest, image: ELFImage?, hostToolchain: String) -> String? {
        switch manifest.language ?? swift {
        case swift:
            guard manifest.toolchain == hostToolchain else {
                return "built by toolchain `\(manifest.toolchain)`, the daemon by `\(hostToolchain)`"
            }
            return nil
        case c:
            guard let image else {
                return "declares language `c` but has no ELF section headers, so it cannot be checked for Swift code"
            }
            guard !image.containsSwift else {
                return "declares language `c` but contains Swift code; Swift plugins must be built by `\(hostToolchain)`"
            }
            return nil
        case let other:
            return "declares unknown language `\(other)` (expected `swift` or `c`)"
        }
    }
}
