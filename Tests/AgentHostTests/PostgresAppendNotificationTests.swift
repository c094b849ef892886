@testable import AgentHost
import Foundation
import Logging
import Testing
import TestSupport

/// The push a daemon needs to follow sessions another daemon writes: two
/// storages on one database stand for two daemons.
@Suite struct PostgresAppendNotificationTests {
    @Test func aCommittedAppendReachesAnotherDaemonARefusedOneNever() async throws {
        let url = try PostgresDatabaseURL(try PostgresCluster.database())
        let writer = try await PostgresStorage.connect(url: url, logger: Logger(label: "daemon-a"))
        let follower = try await PostgresStorage.connect(url: url, logger: Logger(label: "daemon-b"))

        let heard = try await follower.withAppends { appends in
            var iterator = appends.makeAsyncIterator()
            var heard: [LogAppended] = []
            // One group of two sessions: one announcement each, with its last seq.
            try await writer.append(
                [
                    LogRecord(chatId: "chat one", seq: 1, kind: .input, body: "{}"),
                    LogRecord(chatId: "chat one", seq: 2, kind: .output, body: #"{"n":2}"#),
                    LogRecord(chatId: "other", seq: 1, kind: .output, body: "{}"),
                ],
                statuses: []
            )
            for _ in 0..<2 { heard.append(try #require(try await iterator.next())) }
            // A refused group (seq 2 is taken) announces nothing; the next committed one does.
            await #expect(throws: (any Error).self) {
                try await writer.append([LogRecord(chatId: "chat one", seq: 2, kind: .output, body: "{}")], statuses: [])
            }
            try await writer.append([LogRecord(chatId: "chat one", seq: 3, kind: .output, body: #"{"n":3}"#)], statuses: [])
            heard.append(try #require(try await iterator.next()))
            return heard
        }
        await writer.shutdown()
        #expect(Set(heard.prefix(2)) == [LogAppended(chatId: "chat one", lastSeq: 2), LogAppended(chatId: "other", lastSeq: 1)])
        #expect(heard.last == LogAppended(chatId: "chat one", lastSeq: 3))
        // What was announced is readable from the follower's side at once.
        #expect(try await follower.records(chatId: "chat one", after: 0, upTo: 3).map(\.body) == ["{}", #"{"n":2}"#, #"{"n":3}"#])
        await follower.shutdown()
    }
}
