import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `agent-host deploy`: puts a build into the drop directory so the watcher
/// only ever sees a complete file (write a hidden temp file, then rename).
public enum PluginDeployer {
    public static func deploy(file: String, into directory: String) throws -> String {
        let source = URL(fileURLWithPath: file)
        let data = try Data(contentsOf: source)
        if let problem = ELFHeader.problem(with: Array(data.prefix(64))) {
            throw AgentHostError.badRequest("\(file) is not a plugin: it \(problem)")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = source.lastPathComponent.hasSuffix(".so") ? source.lastPathComponent : source.lastPathComponent + ".so"
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
}
