/// Where a plugin's code runs.
public enum PluginIsolation: String, Sendable, Codable, Hashable, CaseIterable {
    /// In a worker process of its own: a crash, a hang or a leak costs the
    /// worker, never the daemon (README, "Isolation").
    case worker
    /// In the daemon's address space: no process hop, and no protection.
    case inProcess = "in-process"
}

/// Which plugins run where: one mode for all, and exceptions by plugin name
/// (the file name without `lib` and `.so`).
public struct IsolationPolicy: Sendable, Hashable {
    public var defaultMode: PluginIsolation
    public var overrides: [String: PluginIsolation]

    /// - Parameters:
    ///   - defaultMode: Where plugins run unless named in `overrides`.
    ///   - overrides: Plugin name → mode.
    public init(defaultMode: PluginIsolation, overrides: [String: PluginIsolation] = [:]) {
        self.defaultMode = defaultMode
        self.overrides = overrides
    }

    func mode(forPlugin name: String) -> PluginIsolation {
        overrides[name] ?? defaultMode
    }
}
