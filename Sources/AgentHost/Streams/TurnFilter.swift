import AgentWire

/// Picks one turn out of a session's stream: the records between the
/// `data-turn-start` and `data-turn-complete` control records of one input seq.
///
/// Turns of a session never interleave, so everything in between belongs to
/// that turn. Records of earlier turns (still queued ahead of it) are skipped.
/// The two framing records themselves are not forwarded: a consumer of one turn
/// frames it its own way (`start` … `finish`, then `[DONE]` for the AI SDK).
/// Other control records (`data-upgraded`, `data-interrupted`, …) are transient
/// data parts and pass through. An action input is followed the same way: its
/// `data-history-changed` passes, and its `data-turn-complete` ends it even
/// when no turn answered it (no `data-turn-start`).
struct TurnFilter {
    let inSeq: Int64
    private(set) var started = false

    enum Verdict: Equatable {
        case skip
        case forward
        /// The turn is complete; nothing after this belongs to it.
        case end
    }

    init(inSeq: Int64) {
        self.inSeq = inSeq
    }

    mutating func verdict(for record: LogRecord) -> Verdict {
        guard record.isStreamed else { return .skip }
        if record.kind == .control, let control = Self.control(record.body) {
            switch control {
            case .turnStart(inSeq):
                started = true
                return .skip
            case .turnComplete(inSeq):
                // Also without a start: an action that no turn answered ends here.
                return .end
            case .historyChanged(inSeq, _):
                // The action's edits come before its turn's start: the reader reloads the messages.
                return .forward
            case .turnStart, .turnComplete:
                return .skip
            default:
                break
            }
        }
        return started ? .forward : .skip
    }

    private static func control(_ body: String) -> ControlPart? {
        guard let json = try? WireCoding.decode(JSONValue.self, from: body) else { return nil }
        return UIChunk(json: json)?.control
    }
}
