import AgentWire
import Foundation
import Logging
import Testing
@testable import AgentHost

/// The registry with the plugins `swift build` made: real verifier, store copy
/// and `dlopen`, no daemon. Byte-different builds of one plugin are made by
/// appending bytes after the ELF image, as a redeploy of a rebuilt file would be.
@Suite struct PluginRegistryTests {
    /// A drop directory and a store on a fresh temporary directory, and a registry over them.
    private struct Fixture {
        let directory: URL
        let registry: PluginRegistry

        /// - Parameters:
        ///   - catalog: Where the registry keeps the activation decision; none by default.
        init(catalog: (any BuildCatalog)? = nil) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            registry = PluginRegistry(
                storeDirectory: directory.appendingPathComponent("store").path, logger: Logger(label: "test"), turns: TurnTable(),
                catalog: catalog
            )
        }

        /// Copies the built `lib<product>.so` into the drop folder, with `variant`
        /// bytes appended to make it a different build, and returns its path.
        func drop(_ product: String, variant: String? = nil, as name: String? = nil, permissions: Int = 0o644) throws -> String {
            var bytes = try Data(contentsOf: TestCLibrary.binDirectory.appendingPathComponent("lib\(product).so"))
            if let variant { bytes.append(Data("agent-host test build \(variant)".utf8)) }
            return try write(bytes, as: name ?? "lib\(product).so", permissions: permissions)
        }

        func write(_ bytes: Data, as name: String, permissions: Int = 0o644) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try? FileManager.default.removeItem(atPath: path)
            try bytes.write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
            return path
        }

        func load(_ path: String) async throws -> [GenerationInfo] {
            try await registry.load(path: path).get()
        }

        func generations(_ agent: String = "upgrade-demo") async -> [GenerationInfo] {
            await registry.snapshot().agents.first { $0.id == agent }?.generations ?? []
        }

        func remove() {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func aLoadedBuildIsActiveAndLeasable() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        #expect(await !fixture.registry.hasAgent("upgrade-demo"))

        let loaded = try await fixture.load(fixture.drop("UpgradeDemoV1"))
        #expect(loaded.map(\.agent) == ["upgrade-demo"])
        #expect(loaded.map(\.state) == [.active])
        #expect(loaded.first?.version == "1")
        #expect(loaded.first?.plugin == "UpgradeDemoV1")
        #expect(await fixture.registry.hasAgent("upgrade-demo"))
        let snapshot = await fixture.registry.snapshot()
        #expect(snapshot.agents.map(\.id) == ["upgrade-demo"])
        #expect(snapshot.agents.first?.activeGeneration == loaded.first?.id)
        #expect(snapshot.refusals.isEmpty)

        let lease = try await fixture.registry.lease(agent: "upgrade-demo")
        #expect(lease.generationId == loaded.first?.id)
        #expect(lease.plugin.manifest.version == "1")
        #expect(await fixture.generations().map(\.liveTurns) == [1])
        await fixture.registry.release(lease)
        #expect(await fixture.generations().map(\.liveTurns) == [0])
        await #expect(throws: AgentHostError.unknownAgent("nope")) { try await fixture.registry.lease(agent: "nope") }
    }

    @Test func theSameFileTwiceIsOneGeneration() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let path = try fixture.drop("UpgradeDemoV1")
        let first = try await fixture.load(path)
        let again = try await fixture.load(path)
        #expect(again == first)
        #expect(await fixture.generations().count == 1)
    }

    @Test func aNewBuildDrainsTheOldOneUntilItsTurnEnds() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try #require(try await fixture.load(fixture.drop("UpgradeDemoV1")).first)
        let lease = try await fixture.registry.lease(agent: "upgrade-demo")
        #expect(await !fixture.registry.shouldMigrate(lease))

        let second = try #require(try await fixture.load(fixture.drop("UpgradeDemoV2")).first)
        #expect(second.id != first.id)
        #expect(second.version == "2")
        #expect(await fixture.generations().map(\.state) == [.draining, .active])
        #expect(await fixture.generations().map(\.liveTurns) == [1, 0])
        #expect(await fixture.registry.shouldMigrate(lease))
        let next = try await fixture.registry.lease(agent: "upgrade-demo")
        #expect(next.generationId == second.id)
        #expect(next.plugin.manifest.version == "2")

        await fixture.registry.release(lease)
        #expect(await fixture.generations().map(\.state) == [.retired, .active])
        // A second release of the same lease changes nothing.
        await fixture.registry.release(lease)
        #expect(await fixture.generations().map(\.liveTurns) == [0, 1])
        await fixture.registry.release(next)
        #expect(await fixture.generations().map(\.state) == [.retired, .active])
    }

    @Test func aByteDifferentBuildRetiresAnIdleOne() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try #require(try await fixture.load(fixture.drop("MyChat")).first)
        let second = try #require(try await fixture.load(fixture.drop("MyChat", variant: "2", as: "libMyChat-2.so")).first)
        #expect(first.agent == second.agent)
        #expect(first.sha256 != second.sha256)
        #expect(await fixture.generations(first.agent).map(\.state) == [.retired, .active])
        #expect(await fixture.registry.snapshot().agents.first { $0.id == first.agent }?.activeGeneration == second.id)
    }

    @Test func aDrainPolicyBuildKeepsItsTurn() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        _ = try await fixture.load(fixture.drop("UpgradeDemoV1Drain"))
        let lease = try await fixture.registry.lease(agent: "upgrade-demo")
        _ = try await fixture.load(fixture.drop("UpgradeDemoV2"))
        #expect(await fixture.generations().map(\.state) == [.draining, .active])
        #expect(await !fixture.registry.shouldMigrate(lease))
        await fixture.registry.release(lease)
        #expect(await fixture.generations().map(\.state) == [.retired, .active])
    }

    @Test func aRefusedFileKeepsThePreviousBuildActive() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try #require(try await fixture.load(fixture.drop("UpgradeDemoV1")).first)

        let junk = try fixture.write(Data(repeating: 0x41, count: 256), as: "libUpgradeDemoV2.so")
        let refusal = await fixture.registry.load(path: junk)
        #expect(throws: PluginRefusal.self) { try refusal.get() }
        let writable = try fixture.drop("UpgradeDemoV2", variant: "w", as: "libWritable.so", permissions: 0o666)
        let writableRefusal = await fixture.registry.load(path: writable)
        #expect(throws: PluginRefusal.self) { try writableRefusal.get() }

        let snapshot = await fixture.registry.snapshot()
        #expect(snapshot.agents.first?.activeGeneration == first.id)
        #expect(snapshot.agents.first?.generations.map(\.state) == [.active])
        #expect(Set(snapshot.refusals.map(\.file)) == ["libUpgradeDemoV2.so", "libWritable.so"])
        #expect(snapshot.refusals.first { $0.file == "libUpgradeDemoV2.so" }?.reason == "is not an ELF file")
        #expect(try await fixture.registry.lease(agent: "upgrade-demo").generationId == first.id)

        // The same name, now a good build, loads and clears its refusal.
        let second = try await fixture.load(fixture.drop("UpgradeDemoV2"))
        #expect(second.map(\.state) == [.active])
        #expect(await fixture.registry.snapshot().refusals.map(\.file) == ["libWritable.so"])
    }

    @Test func rollbackRestoresThePreviousBuild() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try #require(try await fixture.load(fixture.drop("UpgradeDemoV1")).first)
        await #expect(throws: AgentHostError.conflict("agent `upgrade-demo` has no earlier generation to roll back to")) {
            try await fixture.registry.rollback(agent: "upgrade-demo")
        }
        let second = try #require(try await fixture.load(fixture.drop("UpgradeDemoV2")).first)
        let onSecond = try await fixture.registry.lease(agent: "upgrade-demo")

        let restored = try await fixture.registry.rollback(agent: "upgrade-demo")
        #expect(restored.id == first.id)
        #expect(restored.state == .active)
        #expect(await fixture.generations().map(\.id) == [second.id, first.id])
        #expect(await fixture.generations().map(\.state) == [.draining, .active])
        #expect(await fixture.registry.shouldMigrate(onSecond))
        let lease = try await fixture.registry.lease(agent: "upgrade-demo")
        #expect(lease.plugin.manifest.version == "1")
        await fixture.registry.release(onSecond)
        #expect(await fixture.generations().map(\.state) == [.retired, .active])
        await fixture.registry.release(lease)

        await #expect(throws: AgentHostError.unknownAgent("nope")) { try await fixture.registry.rollback(agent: "nope") }
    }

    @Test func withACatalogTheRecordedRollbackOutlivesTheRegistryWhateverOrderBuildsLoadIn() async throws {
        let catalogPath = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: catalogPath) }
        let catalog = try SQLiteStorage(path: catalogPath)

        let first = try Fixture(catalog: catalog)
        defer { first.remove() }
        let v1 = try #require(try await first.load(first.drop("UpgradeDemoV1")).first)
        let v2 = try #require(try await first.load(first.drop("UpgradeDemoV2")).first)
        #expect(await first.generations().map(\.state) == [.retired, .active])
        #expect(try await first.registry.rollback(agent: "upgrade-demo").sha256 == v1.sha256)
        #expect(try await catalog.buildDecisions().order["upgrade-demo"] == [v1.sha256, v2.sha256])

        // A restart: the files load in name order, build 2 last, and build 1 is what serves.
        let restarted = try Fixture(catalog: catalog)
        defer { restarted.remove() }
        let loaded = try await restarted.load(restarted.drop("UpgradeDemoV1")) + restarted.load(restarted.drop("UpgradeDemoV2"))
        #expect(loaded.map(\.state) == [.active, .retired])
        let lease = try await restarted.registry.lease(agent: "upgrade-demo")
        #expect(lease.plugin.sha256 == v1.sha256)
        await restarted.registry.release(lease)
        #expect(await restarted.registry.snapshot().agents.first?.decidedSha256 == v1.sha256)
        // Rolling back from there goes back to build 2, as it would have before the restart.
        #expect(try await restarted.registry.rollback(agent: "upgrade-demo").sha256 == v2.sha256)

        // The decided build missing: the newest one that loaded serves, and the snapshot says which was decided.
        _ = try await catalog.rollback(agent: "upgrade-demo", among: nil)
        let lacking = try Fixture(catalog: catalog)
        defer { lacking.remove() }
        #expect(try await lacking.load(lacking.drop("UpgradeDemoV2")).map(\.state) == [.active])
        await lacking.registry.syncWithCatalog()
        let agent = try #require(await lacking.registry.snapshot().agents.first)
        #expect(agent.decidedSha256 == v1.sha256)
        #expect(agent.generations.map(\.sha256) == [v2.sha256])
        #expect(agent.generations.map(\.state) == [.active])
    }
}
