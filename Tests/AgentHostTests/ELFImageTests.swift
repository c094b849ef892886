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

    /// A built plugin's bytes, cut after `length` bytes (or whole).
    static func bytes(_ name: String, cutAt length: Int? = nil) throws -> [UInt8] {
        let bytes = Array(try Data(contentsOf: TestCLibrary.binDirectory.appendingPathComponent(name)))
        return length.map { Array(bytes.prefix($0)) } ?? bytes
    }

    /// The little-endian integer at `offset` of an ELF header.
    static func field(_ bytes: [UInt8], at offset: Int, size: Int) -> Int {
        (0..<size).reversed().reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }

    @Test func builtPluginsLieInsideTheirFiles() throws {
        for name in ["libCTools.so", "libMyChat.so"] {
            #expect(ELFImage.layoutProblem(in: try Self.bytes(name)) == nil, "\(name)")
        }
    }

    /// A build cut off in transit has a valid header; `dlopen` would die with SIGBUS on it.
    @Test func aTruncatedBuildIsRefusedForItsSegments() throws {
        for name in ["libCTools.so", "libMyChat.so"] {
            let problem = ELFImage.layoutProblem(in: try Self.bytes(name, cutAt: 4096))
            #expect(problem?.hasPrefix("is truncated: loadable segment ") == true, "\(name): \(problem ?? "accepted")")
            #expect(problem?.hasSuffix("extends past the end of the file (4096 bytes)") == true, "\(name): \(problem ?? "")")
        }
    }

    @Test func headerTablesMustLieInsideTheFile() throws {
        let whole = try Self.bytes("libMyChat.so")
        #expect(
            ELFImage.layoutProblem(in: Array(whole.prefix(64)))?.hasPrefix("is truncated: its program header table") == true
        )
        // The section header table sits after every segment: cut inside it.
        let sectionTable = Self.field(whole, at: 0x28, size: 8)
        #expect(sectionTable > 0 && sectionTable < whole.count)
        let cut = Array(whole.prefix(sectionTable + 10))
        #expect(ELFImage.layoutProblem(in: cut)?.hasPrefix("is truncated: its section header table") == true)

        var noProgramHeaders = whole
        noProgramHeaders[0x38] = 0
        noProgramHeaders[0x39] = 0
        #expect(ELFImage.layoutProblem(in: noProgramHeaders) == "has no program headers")
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
