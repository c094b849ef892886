import Foundation

/// Builds real `.so` files from C source with the system C compiler, the way
/// the README's "Agents in C" section does (`cc -shared -fPIC`).
public enum CCompiler {
    /// The plugin ABI header's directory.
    public static var abiInclude: URL { TestPackage.root.appendingPathComponent("Sources/CAgentABI/include") }

    /// A fresh directory for sources and the libraries built from them.
    public static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("c-plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Compiles `sources` into `output` with `cc -shared -fPIC`; throws with the compiler's output on failure.
    /// - Parameters:
    ///   - sources: The C files.
    ///   - includes: Header directories (`-I`).
    ///   - output: The `.so` to write.
    ///   - defines: Macros to define (`-D`).
    public static func sharedLibrary(sources: [URL], includes: [URL], output: URL, defines: [String] = []) throws {
        let compiler = CompilerLookup.cCompiler
        var arguments = [compiler, "-shared", "-fPIC", "-O2", "-std=c11"]
        arguments += defines.map { "-D\($0)" }
        arguments += includes.map { "-I\($0.path)" }
        arguments += sources.map(\.path)
        arguments += ["-o", output.path]
        let (status, log) = try Command.run(arguments)
        guard status == 0 else { throw TestFailure("\(compiler) failed:\n\(log)") }
    }

    /// Writes `source` to a file in `directory` and compiles it to `directory/name`.
    /// - Parameters:
    ///   - source: The C source text.
    ///   - name: The library's file name.
    ///   - directory: Where the source and the library go.
    public static func sharedLibrary(source: String, named name: String, in directory: URL) throws -> URL {
        let file = directory.appendingPathComponent((name as NSString).deletingPathExtension + ".c")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent(name)
        try sharedLibrary(sources: [file], includes: [abiInclude], output: output)
        return output
    }

    /// `text` as a C string literal.
    /// - Parameters:
    ///   - text: The string to quote.
    public static func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
