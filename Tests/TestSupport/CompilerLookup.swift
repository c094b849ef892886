import Foundation

/// `$CC`, else `cc` when it is on the PATH, else the `clang` that ships with the Swift toolchain.
public enum CompilerLookup {
    /// The C compiler command to run.
    public static var cCompiler: String {
        let environment = ProcessInfo.processInfo.environment
        if let compiler = environment["CC"], !compiler.isEmpty { return compiler }
        let path = (environment["PATH"] ?? "/usr/bin").split(separator: ":")
        let hasCC = path.contains { FileManager.default.isExecutableFile(atPath: "\($0)/cc") }
        return hasCC ? "cc" : "clang"
    }
}
