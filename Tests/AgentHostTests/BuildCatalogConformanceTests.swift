@testable import AgentHost
import Testing

/// The `BuildCatalog` contract on every backend: the activation decision is
/// the same record whichever database keeps it.
@Suite struct BuildCatalogConformanceTests {
    private func withCatalog(_ backend: StorageBackend, _ body: (any BuildCatalog) async throws -> Void) async throws {
        try await backend.withStorage { storage in
            let catalog = try #require(storage as? any BuildCatalog, "\(backend) keeps no build catalog")
            try await body(catalog)
        }
    }

    private static func build(_ sha256: String) -> CatalogBuild {
        CatalogBuild(sha256: sha256, fileName: "lib\(sha256).so", bytes: Array("bytes of \(sha256)".utf8))
    }

    @Test(arguments: StorageBackend.allCases)
    func buildsAreDecidedInPublicationOrderAndARepublishChangesNothing(_ backend: StorageBackend) async throws {
        try await withCatalog(backend) { catalog in
            #expect(try await catalog.buildDecisions() == BuildDecisions())
            try await catalog.publish(Self.build("one"), agents: ["chat"])
            try await catalog.publish(Self.build("two"), agents: ["chat", "helper"])
            #expect(try await catalog.buildDecisions().order == ["chat": ["two", "one"], "helper": ["two"]])
            // Loaded again (a restart, another daemon): its place stays.
            try await catalog.publish(Self.build("one"), agents: ["chat"])
            #expect(try await catalog.buildDecisions().decided("chat") == "two")
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aBuildPublishedWithoutAgentsIsUnrecordedUntilADaemonRecordsItAtItsOwnPlace(_ backend: StorageBackend) async throws {
        try await withCatalog(backend) { catalog in
            try await catalog.publish(Self.build("one"), agents: ["chat"])
            try await catalog.publish(Self.build("two"), agents: [])
            try await catalog.publish(Self.build("three"), agents: ["chat"])
            #expect(try await catalog.buildDecisions() == BuildDecisions(order: ["chat": ["three", "one"]], unrecorded: ["two"]))
            // Recorded late, it takes its publication place, behind the build published after it.
            try await catalog.publish(Self.build("two"), agents: ["chat"])
            #expect(try await catalog.buildDecisions() == BuildDecisions(order: ["chat": ["three", "two", "one"]]))
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aRollbackIsRecordedAndEachOneMovesOneStep(_ backend: StorageBackend) async throws {
        try await withCatalog(backend) { catalog in
            try await catalog.publish(Self.build("one"), agents: ["chat"])
            try await catalog.publish(Self.build("two"), agents: ["chat"])
            #expect(try await catalog.rollback(agent: "chat", among: nil) == .restored(agent: "chat", sha256: "one", superseded: "two"))
            #expect(try await catalog.buildDecisions().order["chat"] == ["one", "two"])
            #expect(try await catalog.rollback(agent: "chat", among: nil) == .restored(agent: "chat", sha256: "two", superseded: "one"))
            #expect(try await catalog.rollback(agent: "chat", among: ["two"]) == .noEarlierBuild)
            #expect(try await catalog.rollback(agent: "nope", among: nil) == .unknownAgent)
            // A build published after a rollback is decided over it.
            try await catalog.publish(Self.build("three"), agents: ["chat"])
            #expect(try await catalog.buildDecisions().order["chat"] == ["three", "two", "one"])
        }
    }

    @Test func concurrentRollbacksOnPostgreSQLEachMoveOneStep() async throws {
        try await withCatalog(.postgres) { catalog in
            for sha256 in ["one", "two", "three"] { try await catalog.publish(Self.build(sha256), agents: ["chat"]) }
            let results = try await withThrowingTaskGroup(of: BuildDecisions.Rollback.self) { group in
                for _ in 0..<2 { group.addTask { try await catalog.rollback(agent: "chat", among: nil) } }
                return try await group.reduce(into: [BuildDecisions.Rollback]()) { $0.append($1) }
            }
            // Serialised: the second read the first's result, so the two restored different builds.
            #expect(Set(results).count == 2)
            #expect(try await catalog.buildDecisions().order["chat"]?.count == 3)
        }
    }

    @Test func postgreSQLKeepsTheBytesAndAnnouncesEachDecision() async throws {
        try await withCatalog(.postgres) { catalog in
            let shared = try #require(catalog as? any SharedBuildCatalog)
            #expect(try await shared.build(sha256: "one") == nil)
            let postgres = try #require(catalog as? PostgresStorage)
            try await postgres.withConnection { connection in
                try await connection.listen(on: PostgresStorage.buildsChannel) { decisions in
                    var heard = decisions.makeAsyncIterator()
                    try await shared.publish(Self.build("one"), agents: [])
                    #expect(try await heard.next() != nil)
                    try await shared.publish(Self.build("one"), agents: ["chat"])
                    #expect(try await heard.next() != nil)
                    try await shared.publish(Self.build("two"), agents: ["chat"])
                    #expect(try await heard.next() != nil)
                    _ = try await shared.rollback(agent: "chat", among: nil)
                    #expect(try await heard.next() != nil)
                }
            }
            #expect(try await shared.build(sha256: "one") == Self.build("one"))
            // A build new to the catalog cannot be published without its bytes.
            await #expect(throws: (any Error).self) {
                try await shared.publish(CatalogBuild(sha256: "four", fileName: "libfour.so"), agents: ["chat"])
            }
        }
    }
}
