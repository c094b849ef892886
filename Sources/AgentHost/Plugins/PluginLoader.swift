import AgentWire
import CAgentABI
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Loads a verified store copy: `dlopen`, the entry symbol, the ABI handshake,
/// the manifest. Never loads from the drop directory, never `dlclose`s.
struct PluginLoader: Sendable {
    let logger: Logger
    let turns: any PluginTurnCallbacks

    func load(storePath: String, file: VerifiedPluginFile) throws(PluginRefusal) -> LoadedPlugin {
        func refuse(_ reason: String) -> PluginRefusal {
            PluginRefusal(file: (file.sourcePath as NSString).lastPathComponent, reason: reason, sha256: file.sha256)
        }
        guard let handle = dlopen(storePath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            throw refuse("dlopen failed: \(dlerror().map { String(cString: $0) } ?? "unknown error")")
        }
        // From here on the image stays mapped whatever happens (RTLD_NODELETE):
        // a refused build costs its mapping until the daemon restarts.
        guard let symbol = dlsym(handle, AGENT_PLUGIN_ENTRY_SYMBOL) else {
            throw refuse("does not export \(AGENT_PLUGIN_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: agent_plugin_entry_v1_fn.self)
        let context = PluginHostContext(pluginName: file.name, logger: logger, turns: turns)
        let hostTable = HostServicesTable.make(for: context)

        var api = agent_plugin_api()
        let status = entry(hostTable, &api, MemoryLayout<agent_plugin_api>.size)
        guard status == AGENT_OK else { throw refuse("entry function failed with status \(status.rawValue)") }
        guard api.abi_major == AGENT_ABI_MAJOR else {
            throw refuse("ABI major \(api.abi_major) is not supported (host speaks \(AGENT_ABI_MAJOR))")
        }
        let required = MemoryLayout<agent_plugin_api>.offset(of: \.shutdown).map { $0 + MemoryLayout<UnsafeRawPointer>.size } ?? .max
        guard Int(api.struct_size) >= required else {
            throw refuse("plugin table has size \(api.struct_size), expected at least \(required)")
        }
        guard api.start_turn != nil, api.cancel_turn != nil, api.call_tool != nil, api.shutdown != nil else {
            throw refuse("plugin table is missing a required function")
        }
        // ABI 1.1's `call_hook` counts only inside the table the plugin filled: a
        // 1.0 plugin (smaller struct_size) loads and gets no lifecycle events.
        let hookEnd = MemoryLayout<agent_plugin_api>.offset(of: \.call_hook).map { $0 + MemoryLayout<UnsafeRawPointer>.size } ?? .max
        if Int(api.struct_size) < hookEnd { api.call_hook = nil }
        let manifest: PluginManifest
        let image: ELFImage?
        (manifest, image) = try Self.checkManifest(String(agentStr: api.manifest_json), file: file)
        let cTools: CToolTable
        do {
            cTools = try CToolTable.bind(manifest: manifest, image: image) { dlsym(handle, $0) }
        } catch {
            throw refuse(error.message)
        }
        return LoadedPlugin(
            name: file.name, sha256: file.sha256, storePath: storePath, manifest: manifest, api: api, cTools: cTools,
            logger: logger
        )
    }

    /// Decodes a plugin's manifest and checks it against the file: the
    /// language policy, at least one agent, valid ids. The daemon runs this on
    /// every manifest, also on the one a worker reports from its handshake.
    /// - Parameters:
    ///   - text: The manifest JSON the plugin returned.
    ///   - file: The verified file the plugin was loaded from.
    /// - Returns: The manifest, and the file's ELF image when anything reads its symbols.
    static func checkManifest(_ text: String, file: VerifiedPluginFile) throws(PluginRefusal) -> (PluginManifest, ELFImage?) {
        func refuse(_ reason: String) -> PluginRefusal {
            PluginRefusal(file: (file.sourcePath as NSString).lastPathComponent, reason: reason, sha256: file.sha256)
        }
        let manifest: PluginManifest
        do {
            manifest = try WireCoding.decode(PluginManifest.self, from: text)
        } catch {
            throw refuse("manifest is not valid JSON: \(error)")
        }
        // Read the file's symbols only when something depends on them; a Swift
        // plugin without C tools has thousands and needs none.
        let hasCTools = manifest.agents.contains { $0.tools.contains { $0.cFunction != nil } }
        let image = manifest.language == PluginLanguagePolicy.c || hasCTools ? ELFImage(bytes: file.bytes) : nil
        if let problem = PluginLanguagePolicy.problem(manifest: manifest, image: image, hostToolchain: currentToolchainID) {
            throw refuse(problem)
        }
        guard !manifest.agents.isEmpty else { throw refuse("declares no agents") }
        for agent in manifest.agents where agent.id.isEmpty || agent.id.count > 128 {
            throw refuse("declares an agent with an invalid id `\(agent.id)`")
        }
        for agent in manifest.agents {
            if let seconds = agent.maxTurnSeconds, !(seconds > 0 && seconds.isFinite) {
                throw refuse("agent `\(agent.id)` declares maxTurnSeconds \(seconds); a time limit must be a positive number of seconds")
            }
            for tool in agent.tools {
                guard let seconds = tool.timeoutSeconds, !(seconds > 0 && seconds.isFinite) else { continue }
                throw refuse("tool `\(tool.name)` declares timeoutSeconds \(seconds); a time limit must be a positive number of seconds")
            }
        }
        return (manifest, image)
    }
}
