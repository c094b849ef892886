@testable import AgentHost
import Foundation
import TestSupport
import Testing

/// Checks that run before `dlopen`, on real files.
@Suite struct PluginFileVerifierTests {
    private let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("verifier-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    private var builtPlugin: URL {
        DaemonProcess.myChatPlugin
    }

    private func reason(_ path: URL) -> String? {
        do {
            _ = try PluginFileVerifier.verify(path: path.path)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aBuiltPluginPasses() throws {
        let file = try PluginFileVerifier.verify(path: builtPlugin.path)
        #expect(file.name == "MyChat")
        #expect(file.sha256.count == 64)
        #expect(file.bytes.count > 1000)
    }

    @Test func refusesWhatCannotBeAPlugin() throws {
        let junk = directory.appendingPathComponent("libJunk.so")
        try Data(repeating: 0x41, count: 128).write(to: junk)
        #expect(reason(junk) == "is not an ELF file")

        let empty = directory.appendingPathComponent("libEmpty.so")
        try Data().write(to: empty)
        #expect(reason(empty)?.hasPrefix("has size 0") == true)

        var header = [UInt8](try Data(contentsOf: builtPlugin).prefix(64))
        header[16] = 2  // ET_EXEC
        let executable = directory.appendingPathComponent("libExec.so")
        try Data(header).write(to: executable)
        #expect(reason(executable)?.hasPrefix("is not an ELF shared object") == true)

        let writable = directory.appendingPathComponent("libWritable.so")
        try FileManager.default.copyItem(at: builtPlugin, to: writable)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: writable.path)
        #expect(reason(writable)?.hasPrefix("is writable by group or others") == true)

        let link = directory.appendingPathComponent("libLink.so")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: builtPlugin)
        #expect(reason(link) == "is a symbolic link")

        let folder = directory.appendingPathComponent("libFolder.so")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(reason(folder) == "is not a regular file")
    }

    @Test func aTruncatedCopyIsRefusedBeforeDlopen() throws {
        let truncated = directory.appendingPathComponent("libTruncated.so")
        try Data(contentsOf: builtPlugin).prefix(4096).write(to: truncated)
        let refusal = reason(truncated)
        #expect(refusal?.hasPrefix("is truncated: loadable segment ") == true, "\(refusal ?? "accepted")")
    }

    /// Opening a FIFO for reading waits for a writer: the verifier must refuse it without opening it that way.
    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let fifo = directory.appendingPathComponent("libFifo.so")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        #expect(reason(fifo) == "is not a regular file")
    }

    @Test func pluginNamesComeFromTheFileName() {
        #expect(PluginFileVerifier.pluginName(fromFile: "libMyChat.so") == "MyChat")
        #expect(PluginFileVerifier.pluginName(fromFile: "tools.so") == "tools")
        #expect(PluginFileVerifier.pluginName(fromFile: "lib../../evil.so") == "....evil")
    }
}
