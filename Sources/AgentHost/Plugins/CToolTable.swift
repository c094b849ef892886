import AgentWire

/// The C tools of one loaded plugin, bound once at load time: every signature
/// checked, every function resolved, every call interface prepared. A plugin
/// whose manifest names a missing function or an unknown type never loads, so
/// a model can never reach a half-described tool.
struct CToolTable: Sendable {
    /// agent id → tool name → caller.
    private var callers: [String: [String: FFIToolCaller]] = [:]

    init() {}

    func caller(agent: String, tool: String) -> FFIToolCaller? {
        callers[agent]?[tool]
    }

    var count: Int { callers.values.reduce(0) { $0 + $1.count } }

    /// Binds every tool that has a `cFunction` in `manifest`.
    ///
    /// - image: the plugin file's ELF view; a named function must be defined by
    ///   the plugin itself, so a manifest can neither point into libc (`system`)
    ///   nor at a data symbol.
    /// - resolve: the symbol's address in the loaded image (`dlsym` on its handle).
    static func bind(
        manifest: PluginManifest, image: ELFImage?, resolve: (String) -> UnsafeMutableRawPointer?
    ) throws(CToolSignatureError) -> CToolTable {
        var table = CToolTable()
        for agent in manifest.agents {
            for tool in agent.tools {
                guard let spec = tool.cFunction else { continue }
                let signature = try CToolSignature(tool: tool.name, spec: spec)
                guard let image else {
                    throw CToolSignatureError(message: "C tool `\(tool.name)`: the plugin file has no ELF section headers to check its symbols")
                }
                func function(_ name: String, role: String) throws(CToolSignatureError) -> UnsafeMutableRawPointer {
                    guard image.definesFunction(name), let address = resolve(name) else {
                        throw CToolSignatureError(
                            message: "C tool `\(tool.name)`: \(role) `\(name)` is not a function the plugin exports"
                        )
                    }
                    return address
                }
                let address = try function(signature.symbol, role: "symbol")
                var free: UnsafeMutableRawPointer?
                if let name = signature.freeSymbol { free = try function(name, role: "free function") }
                guard table.callers[agent.id]?[tool.name] == nil else {
                    throw CToolSignatureError(message: "C tool `\(tool.name)` is declared twice for agent `\(agent.id)`")
                }
                table.callers[agent.id, default: [:]][tool.name] = try FFIToolCaller(
                    signature: signature, function: address, free: free
                )
            }
        }
        return table
    }
}
