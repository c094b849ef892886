import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `agent-host deploy`: puts a build into the drop directory so the watcher
/// only ever sees a complete file (write a hidden temp file, then rename), or
/// publishes it to a cluster's database.
public enum PluginDeployer {
    /// Drops `file` into `directory`.
    /// - Parameters:
    ///   - file: The plugin build.
    ///   - directory: A daemon's plugins drop directory.
    /// - Returns: The path it landed at.
    public static func deploy(file: String, into directory: String) throws -> String {
        let (name, data) = try read(file)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let destination = "\(directory)/\(name)"
        let temporary = "\(directory)/.\(name).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o644]) else {
            throw AgentHostError.internalError("cannot write \(temporary)")
        }
        guard rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw AgentHostError.internalError("cannot rename into \(destination): \(String(cString: strerror(errno)))")
        }
        return destination
    }

    /// Publishes `file` to a shared catalog (`agent-host deploy --database`):
    /// every daemon on it fetches, verifies and loads the build, and makes it
    /// active, as if it had been dropped into one of them. No daemon need run:
    /// one that starts later loads it from the catalog.
    /// - Parameters:
    ///   - file: The plugin build.
    ///   - catalog: The cluster's database.
    /// - Returns: The build as published (its hash is its identity).
    public static func publish(file: String, to catalog: any SharedBuildCatalog) async throws -> CatalogBuild {
        let (name, data) = try read(file)
        let bytes = Array(data)
        let build = CatalogBuild(sha256: SHA256.hash(data: bytes).lowercaseHex, fileName: name, bytes: bytes)
        try await catalog.publish(build, agents: [])
        return build
    }

    /// The build's bytes and the file name it is deployed under (`.so` appended
    /// when missing); refuses a file that is no ELF shared object for this machine.
    private static func read(_ file: String) throws -> (name: String, data: Data) {
        let source = URL(fileURLWithPath: file)
        let data = try Data(contentsOf: source)
        if let problem = ELFHeader.problem(with: Array(data.prefix(64))) {
            throw AgentHostError.badRequest("\(file) is not a plugin: it \(problem)")
        }
        let name = source.lastPathComponent.hasSuffix(".so") ? source.lastPathComponent : source.lastPathComponent + ".so"
        return (name, data)
    }
}
