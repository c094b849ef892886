import AgentWire

/// Model-only context in a session's history, folded from its log
/// (README, "Injected context, deferred work and prepareMessages").
///
/// An injection is acknowledged by a private `state` record of its own (its
/// seq is its id): `{"contextInjection": {"text"}}` from `run.inject`, or
/// `{"deferralResult": {"id", "text"}}` when deferred work returns text. It
/// waits (`pending`) until a turn takes it — at a step boundary, or before the
/// turn's first model request — and writes `data-context-injected {seqs}`,
/// which places it there (`placed`): the model's conversation has it at that
/// place from then on, `/messages` never shows it. A restart finds each
/// injection either waiting or placed, so it is neither lost nor given twice.
///
/// Deferred work is `{"deferral": {"id", "timeoutSeconds"}}` when a turn
/// registers it, and one `deferralResult` (text, none, or an error) when it
/// ends; a result for work that is not waiting changes nothing.
public struct ContextInjections: Codable, Sendable, Hashable {
    /// Injected context that entered the conversation.
    public struct Placed: Codable, Sendable, Hashable {
        /// The seq of the record that acknowledged it: its id.
        public var seq: Int64
        public var text: String
        /// It comes before part `part` of message `message` (the parts before
        /// it are complete steps); `part` 0: before the message, and `message`
        /// equal to the message count: after the last message.
        var message: Int
        var part: Int
        /// The seq of the `data-context-injected` record that placed it.
        var placedAt: Int64

        /// The message the model reads.
        var modelMessage: ModelMessage { .user(parts: [.text(text)]) }
    }

    /// Deferred work a turn registered that has no result yet.
    public struct Deferral: Codable, Sendable, Hashable {
        /// The plugin's id of the work.
        public var id: String
        /// Its time limit, from when it starts.
        public var timeoutSeconds: Double
    }

    /// Acknowledged injections that wait for a turn to take them, by seq (their order).
    public private(set) var pending: [Int64: String] = [:]
    /// Placed injections, in the order they were placed.
    public private(set) var placed: [Placed] = []
    /// Deferred work without a result yet, by id.
    public private(set) var deferrals: [String: Deferral] = [:]

    /// The members of the `state` records that carry these.
    static let injectionKey = "contextInjection"
    static let deferralKey = "deferral"
    static let deferralResultKey = "deferralResult"

    /// The pending injections, oldest first.
    var pendingInOrder: [(seq: Int64, text: String)] {
        pending.sorted { $0.key < $1.key }.map { (seq: $0.key, text: $0.value) }
    }

    // MARK: Records

    /// The body of an injection's acknowledgment record.
    static func injectionRecord(text: String) -> JSONValue {
        [injectionKey: ["text": .string(text)]]
    }

    /// The body of a deferral's start record.
    static func deferralRecord(id: String, timeoutSeconds: Double) -> JSONValue {
        [deferralKey: ["id": .string(id), "timeoutSeconds": .number(timeoutSeconds)]]
    }

    /// The body of a deferral's result record: `text` to inject, or an `error` (nothing injected).
    static func deferralResultRecord(id: String, text: String?, error: String?) -> JSONValue {
        var result: [String: JSONValue] = ["id": .string(id)]
        if let text { result["text"] = .string(text) }
        if let error { result["error"] = .string(error) }
        return [deferralResultKey: .object(result)]
    }

    /// Folds a private `state` record; other `state` records change nothing.
    mutating func apply(state body: JSONValue, seq: Int64) {
        if let text = body[Self.injectionKey]?["text"]?.stringValue {
            pending[seq] = text
        }
        if let deferral = body[Self.deferralKey], let id = deferral["id"]?.stringValue {
            deferrals[id] = Deferral(id: id, timeoutSeconds: deferral["timeoutSeconds"]?.doubleValue ?? 0)
        }
        if let result = body[Self.deferralResultKey], let id = result["id"]?.stringValue,
           deferrals.removeValue(forKey: id) != nil, let text = result["text"]?.stringValue {
            // Only the first result of waiting work counts: a second one injects nothing.
            pending[seq] = text
        }
    }

    /// `data-context-injected`: the injections `seqs` enter the conversation at `message`, `part`.
    mutating func place(_ seqs: [Int64], message: Int, part: Int, at seq: Int64) {
        for id in seqs {
            guard let text = pending.removeValue(forKey: id) else { continue }
            placed.append(Placed(seq: id, text: text, message: message, part: part, placedAt: seq))
        }
    }

    // MARK: History edits

    /// The messages from `index` on are gone: what was placed among them goes too.
    mutating func truncate(from index: Int) {
        placed.removeAll { $0.message > index || ($0.message == index && $0.part > 0) }
    }

    /// The message at `index` is gone and the ones after it moved up one place.
    mutating func remove(at index: Int) {
        placed = placed.compactMap { injection in
            var injection = injection
            if injection.message == index, injection.part > 0 { return nil }
            if injection.message > index { injection.message -= 1 }
            return injection
        }
    }

    // MARK: The model's view

    /// `conversation` (the model's view of `messages`) with the placed
    /// injections in their places, except those a compaction summarised
    /// (`covered`); `modelCount(first:)` says how many model messages the
    /// first n UI messages convert to.
    /// - Parameters:
    ///   - cut: The index in `conversation` before which a compaction's summary
    ///     stands: only what comes from there on is returned.
    func insert(
        into conversation: [ModelMessage], messages: [UIMessage], modelOutputs: [String: [String: JSONValue]],
        covered: (Placed) -> Bool, cut: Int, modelCount: (Int) -> Int
    ) -> [ModelMessage] {
        var insertions: [(index: Int, message: ModelMessage)] = []
        for injection in placed where !covered(injection) {
            var index = modelCount(min(injection.message, messages.count))
            if injection.message < messages.count, injection.part > 0 {
                // The complete steps before it convert to a prefix of the message's model messages.
                var prefix = messages[injection.message]
                prefix.parts = Array(prefix.parts.prefix(injection.part))
                index += ModelMessage.from([prefix], modelOutputs: modelOutputs).count
            }
            insertions.append((min(max(index, cut), conversation.count), injection.modelMessage))
        }
        var result: [ModelMessage] = []
        result.reserveCapacity(conversation.count - cut + insertions.count)
        var next = cut
        // Stable: injections placed at the same point keep their order.
        for insertion in insertions.enumerated().sorted(by: { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }) {
            result += conversation[next..<insertion.element.index]
            result.append(insertion.element.message)
            next = insertion.element.index
        }
        result += conversation[next...]
        return result
    }
}
