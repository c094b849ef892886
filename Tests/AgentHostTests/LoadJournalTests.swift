import Foundation
import Logging
import Testing
@testable import AgentHost

/// The start-up journal: a build whose load never returned is refused at the
/// next start, across restarts, until a different build of that file arrives.
@Suite struct LoadJournalTests {
    private let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    private var path: String { directory.appendingPathComponent(LoadJournal.fileName).path }

    private func build(_ name: String, hash: String) -> VerifiedPluginFile {
        VerifiedPluginFile(name: "Crash", sourcePath: "/drop/\(name)", bytes: [], sha256: hash)
    }

    /// What the next start sees: the journal read from disk afresh.
    private func restart() -> LoadJournal {
        LoadJournal(path: path, logger: Logger(label: "test"))
    }

    /// Leaves the journal file as a process that died inside the load of `file` would.
    private func dieWhileLoading(_ file: VerifiedPluginFile) throws {
        var journal = restart()
        var atDeath: Data?
        _ = try journal.recording(file) { () throws(PluginRefusal) in
            atDeath = FileManager.default.contents(atPath: path)
        }
        try #require(atDeath).write(to: URL(fileURLWithPath: path))
    }

    /// Runs a load through `journal` and answers whether it ran, or the refusal.
    private func load(_ file: VerifiedPluginFile, on journal: inout LoadJournal) -> Result<Bool, PluginRefusal> {
        Result { () throws(PluginRefusal) in try journal.recording(file) { () throws(PluginRefusal) in true } }
    }

    @Test func aLoadThatReturnsLeavesNothingBehind() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        var journal = restart()
        #expect(try load(build("libA.so", hash: "aaa"), on: &journal).get())
        let failing = Result { () throws(PluginRefusal) in
            try journal.recording(build("libB.so", hash: "bbb")) { () throws(PluginRefusal) -> Bool in
                throw PluginRefusal(file: "libB.so", reason: "dlopen failed")
            }
        }
        #expect(throws: PluginRefusal.self) { try failing.get() }
        #expect(restart().poisoned.isEmpty)
    }

    @Test func aLoadThatNeverReturnedIsRefusedAtEveryLaterStart() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let crashing = build("libCrash.so", hash: "c0ffee")
        try dieWhileLoading(crashing)

        var second = restart()
        #expect(second.poisoned.map(\.sha256) == ["c0ffee"])
        #expect(second.poisoned.map(\.file) == ["libCrash.so"])
        guard case .failure(let refusal) = load(crashing, on: &second) else {
            Issue.record("a poisoned build was loaded")
            return
        }
        #expect(refusal.file == "libCrash.so")
        #expect(refusal.sha256 == "c0ffee")
        #expect(refusal.reason.hasPrefix("killed or hung the daemon while loading at "))
        #expect(refusal.reason.hasSuffix("; refused until a different build is dropped"))
        // The same bytes under another name are the same build.
        #expect(throws: PluginRefusal.self) { try load(build("libOther.so", hash: "c0ffee"), on: &second).get() }

        // Still refused after another restart...
        var third = restart()
        #expect(throws: PluginRefusal.self) { try load(crashing, on: &third).get() }
        // ...until a different build of that file reaches the loader.
        #expect(try load(build("libCrash.so", hash: "fixed"), on: &third).get())
        #expect(restart().poisoned.isEmpty)
    }

    @Test func aDamagedJournalIsIgnored() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        var journal = restart()
        #expect(journal.poisoned.isEmpty)
        #expect(try load(build("libA.so", hash: "aaa"), on: &journal).get())
    }

    /// The registry refuses a poisoned build by hash before `dlopen`, and lists it.
    @Test func theRegistryRefusesAPoisonedBuild() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let plugin = TestCLibrary.binDirectory.appendingPathComponent("libMyChat.so")
        let drop = directory.appendingPathComponent("libMyChat.so")
        try FileManager.default.copyItem(at: plugin, to: drop)
        try dieWhileLoading(build("libMyChat.so", hash: try PluginFileVerifier.verify(path: drop.path).sha256))
        let registry = PluginRegistry(
            storeDirectory: directory.appendingPathComponent("store").path, journalPath: path,
            logger: Logger(label: "test"), turns: TurnTable()
        )
        let result = await registry.load(path: drop.path)
        guard case .failure(let refusal) = result else {
            Issue.record("a poisoned build was loaded")
            return
        }
        #expect(refusal.reason.hasPrefix("killed or hung the daemon while loading at "))
        #expect(await !registry.hasAgent("my-chat"))
        #expect(await registry.snapshot().refusals.map(\.file) == ["libMyChat.so"])
    }
}
