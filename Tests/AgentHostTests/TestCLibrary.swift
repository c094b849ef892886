import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real shared library built from C source with `cc -shared -fPIC` and
/// `dlopen`ed into the test process, to call through libffi.
struct TestCLibrary {
    let path: URL
    let bytes: [UInt8]
    let handle: UnsafeMutableRawPointer

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(source: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ffi-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lib.c")
        try source.write(to: file, atomically: true, encoding: .utf8)
        path = directory.appendingPathComponent("libtest.so")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [CompilerLookup.cCompiler, "-shared", "-fPIC", "-O2", "-std=c11", file.path, "-o", path.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let log = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "cc failed:\n\(log)") }
        bytes = Array(try Data(contentsOf: path))
        // Never closed, like every plugin image; the file may go once it is mapped.
        guard let handle = dlopen(path.path, RTLD_NOW | RTLD_LOCAL) else {
            throw Failure(description: "dlopen failed: \(dlerror().map { String(cString: $0) } ?? "")")
        }
        self.handle = handle
    }

    func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(handle, name)
    }

    /// The `swift build` products next to the test bundle (libCTools.so, libMyChat.so).
    static var binDirectory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
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
