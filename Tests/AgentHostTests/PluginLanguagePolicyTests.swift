import AgentWire
import Testing
@testable import AgentHost

/// The toolchain check applies to Swift plugins; a plugin that says it is C
/// skips it only if its image really holds no Swift.
@Suite struct PluginLanguagePolicyTests {
    static func manifest(language: String?, toolchain: String) -> PluginManifest {
        PluginManifest(version: "1", toolchain: toolchain, agents: [AgentManifest(id: "a", tools: [])], language: language)
    }

    @Test func swiftPluginsMustMatchTheToolchain() throws {
        let image = try ELFImageTests.image("libMyChat.so")
        #expect(PluginLanguagePolicy.problem(manifest: Self.manifest(language: nil, toolchain: "host"), image: image, hostToolchain: "host") == nil)
        #expect(PluginLanguagePolicy.problem(manifest: Self.manifest(language: "swift", toolchain: "host"), image: image, hostToolchain: "host") == nil)
        #expect(PluginLanguagePolicy.problem(manifest: Self.manifest(language: nil, toolchain: "other"), image: image, hostToolchain: "host")
            == "built by toolchain `other`, the daemon by `host`")
    }

    @Test func cPluginsMayComeFromAnyCompilerButMustHoldNoSwift() throws {
        let cImage = try ELFImageTests.image("libCTools.so")
        #expect(PluginLanguagePolicy.problem(manifest: Self.manifest(language: "c", toolchain: "12.2.0"), image: cImage, hostToolchain: "host") == nil)
        // A Swift plugin claiming to be C to dodge the toolchain check.
        let swiftImage = try ELFImageTests.image("libMyChat.so")
        #expect(PluginLanguagePolicy.problem(manifest: Self.manifest(language: "c", toolchain: "x"), image: swiftImage, hostToolchain: "host")
            == "declares language `c` but contains Swift code; Swift plugins must be built by `host`")
        #expect(PluginLanguagePolicy.problem(manifest: Self.manifest(language: "c", toolchain: "x"), image: nil, hostToolchain: "host") != nil)
        #expect(PluginLanguagePolicy.problem(manifest: Self.manifest(language: "rust", toolchain: "host"), image: cImage, hostToolchain: "host")
            == "declares unknown language `rust` (expected `swift` or `c`)")
    }
}
