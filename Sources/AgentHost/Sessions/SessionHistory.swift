import AgentWire
import Logging

/// A session's history, which a wake leaves encoded until something reads
/// its messages.
///
/// Building a long session's messages from its snapshot is most of what a
/// wake costs (a dictionary for every part), and many wakes never read them:
/// a status request, a subscriber, a stop. So a woken session keeps the
/// snapshot's messages encoded (checked, so they will decode) with the records
/// that came after the snapshot, and answers what needs no message — queued
/// inputs, the turn in progress, the agent state — from a fold of those
/// records over the snapshot's other fields (`Snapshot.withoutMessages`). The
/// first reader of the messages builds them and folds the records over them:
/// the history a fold of the whole log gives.
struct SessionHistory: Sendable {
    /// The whole history once decoded; before that, the fold without messages.
    private var folded: MessageHistory
    private var encoded: Encoded?
    private let logger: Logger

    /// What is left to decode: the snapshot, and the records after it in order.
    private struct Encoded: Sendable {
        var rest: MessageHistory.Snapshot
        var messages: UIMessage.EncodedArray
        var records: [LogRecord]
    }

    /// A history already folded.
    /// - Parameters:
    ///   - history: The history.
    ///   - logger: Where a snapshot that fails to decode is reported.
    init(_ history: MessageHistory, logger: Logger) {
        folded = history
        self.logger = logger
    }

    /// A history woken from a snapshot whose messages stay encoded until read.
    /// - Parameters:
    ///   - snapshot: The snapshot without its messages (`HistorySnapshot.encodedHistory()`).
    ///   - messages: Its messages, checked and still encoded.
    ///   - records: The log's records after `snapshot.throughSeq`, in order.
    ///   - logger: Where a snapshot that fails to decode is reported.
    init(snapshot: MessageHistory.Snapshot, messages: UIMessage.EncodedArray, records: [LogRecord], logger: Logger) {
        folded = MessageHistory(snapshot: snapshot.withoutMessages, records: records)
        encoded = Encoded(rest: snapshot, messages: messages, records: records)
        self.logger = logger
    }

    /// Whether the messages are built (read once, or never encoded).
    var isDecoded: Bool { encoded == nil }

    /// Inputs that asked for a turn that has not started yet, oldest first.
    var pendingInputs: [(seq: Int64, input: InputRecord)] { folded.pendingInputs }
    /// The turn that started and has not completed, if any.
    var turnInProgress: TurnCheckpoint? { folded.turnInProgress }
    /// The agent's saved state and the version label of the build that saved it.
    var agentState: (state: JSONValue, version: String)? { folded.agentState }
    /// How many turns the chat has started.
    var turnsStarted: Int { folded.turnsStarted }
    /// Whether the chat's `chat-start` record was written.
    var chatStartRecorded: Bool { folded.chatStartRecorded }
    /// Tokens the chat used so far.
    var totalUsage: ModelUsage? { folded.totalUsage }
    /// Injected context waiting for a turn, and deferred work without a result.
    var injections: ContextInjections { folded.injections }

    /// Folds one more record; while the messages are encoded, it waits with them.
    mutating func apply(_ record: LogRecord, body: JSONValue) {
        folded.apply(record, body: body)
        encoded?.records.append(record)
    }

    /// Runs `body` on the whole history, building its messages first if they are still encoded.
    mutating func decoded<T>(_ body: (inout MessageHistory) throws -> T) rethrows -> T {
        if let encoded {
            self.encoded = nil
            do {
                folded = MessageHistory(snapshot: encoded.rest.with(messages: try encoded.messages.decode()), records: encoded.records)
            } catch {
                // Cannot happen for messages `EncodedArray` checked; were it to,
                // the session goes on with the messages of the records after the
                // snapshot rather than fail every read.
                logger.error("cannot decode a checked history snapshot", metadata: ["error": "\(error)"])
            }
        }
        return try body(&folded)
    }
}
