import Foundation

/// Builds real `.so` files from C source with the system C compiler, the way
/// the README's "Agents in C" section does (`cc -shared -fPIC`).
enum CCompiler {
    /// The package root, found from this file's path.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var abiInclude: URL { packageRoot.appendingPathComponent("Sources/CAgentABI/include") }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("c-plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Compiles `sources` into `output` with `cc -shared -fPIC`; throws with the compiler's output on failure.
    static func sharedLibrary(sources: [URL], includes: [URL], output: URL, defines: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let compiler = CompilerLookup.cCompiler
        var arguments = [compiler, "-shared", "-fPIC", "-O2", "-std=c11"]
        arguments += defines.map { "-D\($0)" }
        arguments += includes.map { "-I\($0.path)" }
        arguments += sources.map(\.path)
        arguments += ["-o", output.path]
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let log = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("\(compiler) failed:\n\(log)") }
    }

    /// Writes `source` to a file in `directory` and compiles it to `directory/name`.
    static func sharedLibrary(source: String, named name: String, in directory: URL) throws -> URL {
        let file = directory.appendingPathComponent((name as NSString).deletingPathExtension + ".c")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent(name)
        try sharedLibrary(sources: [file], includes: [abiInclude], output: output)
        return output
    }

    /// `text` as a C string literal.
    static func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// `$CC`, else `cc` when it is on the PATH, else the `clang` that ships with the Swift toolchain.
enum CompilerLookup {
    static var cCompiler: String {
        let environment = ProcessInfo.processInfo.environment
        if let compiler = environment["CC"], !compiler.isEmpty { return compiler }
        let path = (environment["PATH"] ?? "/usr/bin").split(separator: ":")
        let hasCC = path.contains { FileManager.default.isExecutableFile(atPath: "\($0)/cc") }
        return hasCC ? "cc" : "clang"
    }
}
