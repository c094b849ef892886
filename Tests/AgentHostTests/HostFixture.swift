@testable import AgentHost
import AgentWire
import Foundation
import Logging
import TestSupport

/// The daemon's session machinery in this process, without HTTP: real SQLite
/// on a temp file, the real plugin registry with the built `libMyChat.so`
/// loaded through `dlopen`, the scripted model at zero delay.
struct HostFixture {
    let directory: URL
    let storage: SQLiteStorage
    let registry: PluginRegistry
    let services: SessionServices
    let sessions: SessionDirectory

    /// - Parameters:
    ///   - scriptedDelayMilliseconds: Time between the scripted model's words.
    ///   - plugins: Plugin products to load, e.g. `MyChat`.
    init(scriptedDelayMilliseconds: Int = 0, plugins: [String] = ["MyChat"]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("host-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        storage = try SQLiteStorage(path: directory.appendingPathComponent("db.sqlite").path)
        let turns = TurnTable()
        registry = PluginRegistry(storeDirectory: directory.appendingPathComponent("store").path, logger: logger, turns: turns)
        for plugin in plugins {
            let path = DaemonProcess.plugin(plugin).path
            if case .failure(let refusal) = await registry.load(path: path) {
                throw TestFailure("\(plugin) did not load: \(refusal.reason)")
            }
        }
        let models = ModelCatalog(defaultIdentifier: nil, scriptedDelayMilliseconds: scriptedDelayMilliseconds, logger: logger)
        services = SessionServices(
            storage: storage, writer: LogWriter(storage: storage), registry: registry, models: models, turns: turns,
            logger: logger, stopGracePeriod: .seconds(2)
        )
        sessions = SessionDirectory(services: services)
    }

    /// A created session's live actor.
    func session(_ chatId: String, agent: String = "my-chat") async throws -> Session {
        _ = try await sessions.create(chatId: chatId, agent: agent, clientData: nil, metadata: nil)
        return try await sessions.session(chatId)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    static func message(_ text: String, id: String = UUID().uuidString) -> InputRecord {
        InputRecord(kind: .message, message: .text(text, role: "user", id: id), trigger: "submit-message")
    }
}

/// Reads a session's live records until a condition holds.
struct RecordReader {
    private var iterator: LiveReader.Iterator
    /// Everything read so far, in order.
    private(set) var records: [LogRecord] = []
    /// The chunks read so far, decoded once each.
    private(set) var chunks: [UIChunk] = []

    init(_ subscription: LiveSubscription) {
        iterator = subscription.records.makeAsyncIterator()
    }

    /// Reads until `turn-complete` of the turn answering `inSeq`.
    mutating func readTurn(inSeq: Int64) async throws {
        let start = chunks.count
        try await read { $0[start...].contains { $0.control == .turnComplete(inSeq: inSeq) } }
    }

    /// Reads until `done` holds for the chunks read so far; fails if the stream ends first.
    mutating func read(until done: ([UIChunk]) -> Bool) async throws {
        while !done(chunks) {
            guard let batch = try await iterator.next() else { throw TestFailure("the stream ended early: \(chunks)") }
            records += batch
            chunks += batch.compactMap { record in
                (try? WireCoding.decode(JSONValue.self, from: record.body)).flatMap(UIChunk.init(json:))
            }
        }
    }
}
