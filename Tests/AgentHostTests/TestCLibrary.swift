import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real shared library built from C source with `cc -shared -fPIC` and
/// `dlopen`ed into the test process, to call through libffi.
struct TestCLibrary {
    let path: URL
    let bytes: [UInt8]
    let handle: UnsafeMutableRawPointer

    init(source: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ffi-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lib.c")
        try source.write(to: file, atomically: true, encoding: .utf8)
        path = directory.appendingPathComponent("libtest.so")
        try CCompiler.sharedLibrary(sources: [file], includes: [], output: path)
        bytes = Array(try Data(contentsOf: path))
        // Never closed, like every plugin image; the file may go once it is mapped.
        guard let handle = dlopen(path.path, RTLD_NOW | RTLD_LOCAL) else {
            throw TestFailure("dlopen failed: \(dlerror().map { String(cString: $0) } ?? "")")
        }
        self.handle = handle
    }

    func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(handle, name)
    }

    /// The `swift build` products next to the test bundle (libCTools.so, libMyChat.so).
    static var binDirectory: URL { DaemonProcess.binDirectory }
}
