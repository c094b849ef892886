@testable import AgentHost
import Foundation
import Logging
import Testing
import TestSupport

/// Exactly one daemon owns a session at a time; a daemon that goes away frees its sessions.
@Suite struct PostgresSessionOwnershipTests {
    @Test func oneOwnerPerSessionAndADeadOwnersSessionsAreFree() async throws {
        let url = try PostgresDatabaseURL(try PostgresCluster.database())
        let a = try await PostgresSessionOwnership.connect(url: url, logger: Logger(label: "daemon-a"))
        let b = try await PostgresSessionOwnership.connect(url: url, logger: Logger(label: "daemon-b"))

        #expect(try await a.tryAcquire("x"))
        #expect(try await a.tryAcquire("x"))
        #expect(try await !b.tryAcquire("x"))
        #expect(try await b.tryAcquire("y"))
        #expect(try await !a.tryAcquire("y"))

        // Taken twice, released once: free (the second take was no second lock).
        try await a.release("x")
        #expect(try await b.tryAcquire("x"))
        #expect(await b.sessions == ["x", "y"])

        // B goes away without releasing (as a killed daemon's connection does): A takes both over.
        await b.close()
        try await waitUntil { try await a.tryAcquire("x") }
        #expect(try await a.tryAcquire("y"))
        #expect(await a.sessions == ["x", "y"])
        await a.close()
    }
}
