import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// How the SQLite storage keeps its circuit breaker (`StorageHealth`): every
/// write checks the breaker and the database file first, a storage failure
/// opens the breaker, and a probe on a backoff closes it once a small write
/// needing new space succeeds again.
extension SQLiteStorage {
    /// The first probe runs this long after a failure; each failed one doubles
    /// the wait, up to `longestProbeDelay`.
    static let firstProbeDelay = Duration.milliseconds(50)
    static let longestProbeDelay = Duration.seconds(2)
    /// A probe needs this much free space on the database's file system.
    static let probeFreeBytes: UInt64 = 1 << 20

    /// Why writes are refused now, or nil. Cheap enough for every `/healthz`:
    /// the breaker's state and one `stat` of the database file.
    public func writeProblem() async -> StorageProblem? {
        if let problem = identity?.problem() {
            _ = health.recordFailure(problem)
            return problem
        }
        return health.problem
    }

    public func waitUntilWritable() async {
        await health.waitUntilWritable()
    }

    /// A write transaction, refused (`AgentHostError.storageUnavailable`) while
    /// the breaker is open or the database file is not the one opened. A
    /// failure of the storage itself opens the breaker and is thrown as
    /// `storageUnavailable`; any other error (a constraint) passes unchanged.
    func guardedWrite<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if let problem = identity?.problem() ?? health.problem {
            noteFailure(problem)
            throw AgentHostError.storageUnavailable(problem.message)
        }
        let result: T
        do {
            result = try await pool.write { [faults, normalMaxPageCount] db in
                try faults?.apply(to: db, normalMaxPageCount: normalMaxPageCount)
                return try updates(db)
            }
        } catch let error as DatabaseError {
            guard let problem = Self.problem(of: error) else { throw error }
            noteFailure(problem)
            throw AgentHostError.storageUnavailable(problem.message)
        }
        health.recordSuccess()
        return result
    }

    /// The storage problem a database error means; nil for errors of the
    /// statement itself (a constraint), which say nothing about the storage.
    static func problem(of error: DatabaseError) -> StorageProblem? {
        let text = "\(error.message ?? "\(error.resultCode)") (SQLite \(error.extendedResultCode.rawValue))"
        switch error.resultCode {
        case .SQLITE_FULL:
            return StorageProblem(.full, "the database is full: \(text)")
        case .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_BUSY,
             .SQLITE_LOCKED, .SQLITE_PERM, .SQLITE_PROTOCOL, .SQLITE_NOLFS:
            return StorageProblem(.writeFailed, "the database failed a write: \(text)")
        default:
            return nil
        }
    }

    /// Opens the breaker and, for a problem that can pass, starts the probe.
    private func noteFailure(_ problem: StorageProblem) {
        guard health.recordFailure(problem) else { return }
        Task { await self.probeUntilWritable() }
    }

    /// Probes on a backoff until one succeeds (it closes the breaker) or the
    /// problem turns permanent.
    private func probeUntilWritable() async {
        repeat {
            var delay = Self.firstProbeDelay
            while let problem = health.problem, !problem.kind.isPermanent {
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, Self.longestProbeDelay)
                await probe()
            }
        } while !health.probeEnded()
    }

    /// One probe: a committed write in the shape of the log's, which must
    /// also be able to grow the file by a few pages — a rolled-back insert
    /// larger than the free pages the file holds — on a file system with
    /// `probeFreeBytes` free. Records its outcome in the breaker.
    private func probe() async {
        if let problem = identity?.problem() {
            _ = health.recordFailure(problem)
            return
        }
        if let free = Self.freeBytes(near: pool.path), free < Self.probeFreeBytes {
            _ = health.recordFailure(StorageProblem(.full, "the file system holding \(pool.path) has \(free) bytes free"))
            return
        }
        do {
            try await pool.write { [faults, normalMaxPageCount] db in
                try faults?.apply(to: db, normalMaxPageCount: normalMaxPageCount)
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                let freePages = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                // Past the free pages the file must grow (capped: a file with
                // that much free inside has room enough).
                let growth = min((freePages + 2) * pageSize, Int(Self.probeFreeBytes))
                try db.inSavepoint {
                    try db.execute(sql: "INSERT INTO storageProbe (id, body) VALUES (1, zeroblob(?))", arguments: [growth])
                    return .rollback
                }
                try db.execute(sql: "INSERT OR REPLACE INTO storageProbe (id, body) VALUES (0, randomblob(16))")
            }
            health.recordSuccess()
        } catch let error as DatabaseError {
            _ = health.recordFailure(Self.problem(of: error) ?? StorageProblem(.writeFailed, "the probe write failed: \(error)"))
        } catch {
            _ = health.recordFailure(StorageProblem(.writeFailed, "the probe write failed: \(error)"))
        }
    }

    /// Bytes an unprivileged writer may still use on the file system holding `path`; nil if unknown.
    private static func freeBytes(near path: String) -> UInt64? {
        var info = statvfs()
        let directory = (path as NSString).deletingLastPathComponent
        guard statvfs(directory.isEmpty ? "." : directory, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }
}
