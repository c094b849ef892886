import Foundation
import Testing
@testable import AgentHost

/// What the loader reads from a plugin file before trusting its language claim.
@Suite struct ELFImageTests {
    static func image(_ name: String) throws -> ELFImage {
        let bytes = Array(try Data(contentsOf: TestCLibrary.binDirectory.appendingPathComponent(name)))
        return try #require(ELFImage(bytes: bytes))
    }

    @Test func theCPluginHasNoSwiftAndExportsItsTools() throws {
        let image = try Self.image("libCTools.so")
        #expect(!image.containsSwift)
        for name in ["agent_plugin_entry_v1", "ctools_add", "ctools_word_count", "ctools_upper", "ctools_free"] {
            #expect(image.definesFunction(name), "\(name)")
        }
        #expect(!image.definesFunction("malloc"))
    }

    @Test func aSwiftPluginIsRecognised() throws {
        #expect(try Self.image("libMyChat.so").containsSwift)
    }

    @Test func junkIsNoImage() {
        #expect(ELFImage(bytes: []) == nil)
        #expect(ELFImage(bytes: Array(repeating: 0xff, count: 4096)) == nil)
        var truncated = [UInt8](repeating: 0, count: 64)
        truncated[0x28] = 0x40  // section headers right after the header, but none there
        truncated[0x3A] = 64
        truncated[0x3C] = 3
        #expect(ELFImage(bytes: truncated) == nil)
    }
}
