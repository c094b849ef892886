@testable import AgentHost
import Foundation
import Logging
import Testing
import TestSupport

/// The session stores the conformance tests run against, each on a fresh database.
enum StorageBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    /// On the test process's throw-away cluster (`PostgresCluster`); fails when PostgreSQL is not installed.
    case postgres

    var testDescription: String { rawValue }

    /// Runs `body` on a fresh, empty store of this kind and closes it after, whether `body` returns or throws.
    /// - Parameters:
    ///   - body: The test.
    func withStorage<Result>(_ body: (any SessionStorage) async throws -> Result) async throws -> Result {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString).sqlite").path
            return try await body(try SQLiteStorage(path: path))
        case .postgres:
            let storage = try await PostgresStorage.connect(
                url: try PostgresDatabaseURL(try PostgresCluster.database()), logger: Logger(label: "storage-test")
            )
            return try await storage.closing(after: body)
        }
    }
}
