import AgentWire
import Foundation

/// A session's turns as a timeline (`GET /realtime/v1/sessions/{chatId}/timeline`):
/// per turn its steps — the model, the build (generation and version) that
/// served each, tokens, duration, tool calls with their durations — and the
/// upgrades and interruptions it went through.
///
/// Folded from the log alone: the turn framing and answer chunks every turn
/// streams, their records' times, and a private `state` record the host writes
/// at the end of every step (`stepRecord`), which holds what the stream does
/// not say (the model, the build, tokens per step, exact durations). A step
/// cut off by a crash has no record: the turn shows the interruption, and the
/// steps that did finish.
struct TurnTimeline: Encodable, Sendable {
    struct Turn: Encodable, Sendable, Hashable {
        /// The seq of the input the turn answered.
        var inSeq: Int64
        var startedAt: Date
        /// Nil while the turn runs.
        var endedAt: Date?
        var durationMs: Double?
        /// `running`, `finished`, `stopped` (a stop or a close) or `error`.
        var outcome: String
        /// The answer's `finish` reason (`stop`, `tool-calls`, …), if it finished.
        var finishReason: String?
        var errorText: String?
        var steps: [Step] = []
        var upgrades: [Upgrade] = []
        /// How often the daemon stopped while the turn ran and resumed it.
        var interruptions = 0
        /// The turn's usage as its message metadata reported it.
        var usage: JSONValue?
    }

    struct Step: Encodable, Sendable, Hashable {
        var step: Int
        var model: String
        var generation: Int
        /// The build's manifest version.
        var version: String
        var inputTokens: Int
        var outputTokens: Int
        /// False when the model reported no usage and the tokens are estimated.
        var tokensReported: Bool
        var durationMs: Double
        var finishReason: String
        var tools: [Tool] = []
    }

    struct Tool: Encodable, Sendable, Hashable {
        var toolCallId: String
        var toolName: String
        /// How long the host ran it; nil for a call that did not run (it waits
        /// for a person, was denied, or runs on the client).
        var durationMs: Double?
        /// The call's part state as the answer shows it (`output-available`, `approval-requested`, …).
        var state: String
    }

    struct Upgrade: Encodable, Sendable, Hashable {
        var fromGeneration: Int
        var toGeneration: Int
        var version: String
        /// How many steps of the turn had finished when it moved.
        var afterStep: Int
    }

    var chatId: String
    /// The last turns, oldest first.
    var turns: [Turn]

    /// The `state` record key of a step's record.
    static let stepKey = "turnStep"

    /// The private record a step ends with (`StepLoop.stepEnded`).
    /// - Parameters:
    ///   - report: What the step loop measured.
    ///   - model: The model the step asked.
    ///   - generation: The build that served the step.
    ///   - version: That build's manifest version.
    ///   - tools: The calls the host ran in the step.
    static func stepRecord(
        _ report: StepLoop.StepReport, model: String, generation: Int, version: String, tools: [ToolCallTimes.Call]
    ) -> JSONValue {
        let calls: [JSONValue] = tools.map { call in
            ["toolCallId": .string(call.toolCallId), "toolName": .string(call.toolName), "durationMs": .number(call.duration.milliseconds)]
        }
        let step: JSONValue = [
            "step": .number(Double(report.step)), "model": .string(model), "generation": .number(Double(generation)),
            "version": .string(version), "inputTokens": .number(Double(report.inputTokens)),
            "outputTokens": .number(Double(report.outputTokens)), "tokensReported": .bool(report.tokensReported),
            "durationMs": .number(report.duration.milliseconds), "finishReason": .string(report.finishReason.rawValue),
            "tools": .array(calls),
        ]
        return [stepKey: step]
    }

    /// Reads a session's log a page at a time and keeps its last `limit` turns.
    /// - Parameters:
    ///   - chatId: The session.
    ///   - storage: Where its log is.
    ///   - limit: How many of the latest turns to keep.
    static func load(chatId: String, storage: any SessionStorage, limit: Int) async throws -> TurnTimeline {
        var folder = Folder(limit: max(1, limit))
        var after: Int64 = 0
        while true {
            let page = try await storage.records(chatId: chatId, after: after, upTo: nil, limit: 512)
            for record in page { folder.apply(record) }
            guard page.count == 512, let last = page.last?.seq else { break }
            after = last
        }
        return TurnTimeline(chatId: chatId, turns: folder.turns + (folder.open.map { [$0.turn] } ?? []))
    }

    /// The fold: the open turn, and the turns that ended.
    struct Folder {
        let limit: Int
        private(set) var turns: [Turn] = []
        private(set) var open: OpenTurn?

        init(limit: Int) {
            self.limit = limit
        }

        /// The turn being folded, and its tool calls not yet given to a step.
        struct OpenTurn {
            var turn: Turn
            /// Calls streamed since the last step record, in call order.
            var calls: [Tool] = []
        }

        mutating func apply(_ record: LogRecord) {
            guard record.kind != .input, let body = try? WireCoding.decode(JSONValue.self, from: record.body) else { return }
            if record.kind == .state {
                if let step = body[TurnTimeline.stepKey] { endStep(step) }
                return
            }
            guard let chunk = UIChunk(json: body) else { return }
            if let control = chunk.control {
                apply(control, at: record.createdAt)
                return
            }
            guard var current = open else { return }
            switch chunk {
            case .toolInputAvailable(let callId, let name, _), .toolInputError(let callId, let name, _, _):
                current.calls.append(Tool(toolCallId: callId, toolName: name, state: "input-available"))
            case .toolApprovalRequest(_, let callId):
                Self.set(state: "approval-requested", of: callId, in: &current)
            case .toolOutputAvailable(let callId, _):
                Self.set(state: "output-available", of: callId, in: &current)
            case .toolOutputError(let callId, _):
                Self.set(state: "output-error", of: callId, in: &current)
            case .toolOutputDenied(let callId):
                Self.set(state: "output-denied", of: callId, in: &current)
            case .finish(let reason):
                current.turn.finishReason = reason.rawValue
            case .abort:
                current.turn.outcome = "stopped"
            case .error(let text):
                current.turn.outcome = "error"
                current.turn.errorText = text
            case .messageMetadata(let metadata):
                if let usage = metadata["usage"] { current.turn.usage = usage }
            default:
                break
            }
            open = current
        }

        private mutating func apply(_ control: ControlPart, at time: Date) {
            switch control {
            case .turnStart(let inSeq):
                open = OpenTurn(turn: Turn(inSeq: inSeq, startedAt: time, outcome: "running"))
            case .interrupted:
                open?.turn.interruptions += 1
            case .upgraded(_, let from, let to, let version):
                guard let steps = open?.turn.steps.count else { return }
                open?.turn.upgrades.append(Upgrade(fromGeneration: from, toGeneration: to, version: version, afterStep: steps))
            case .turnComplete(let inSeq):
                guard var current = open, current.turn.inSeq == inSeq else { return }
                current.turn.endedAt = time
                current.turn.durationMs = time.timeIntervalSince(current.turn.startedAt) * 1000
                if current.turn.outcome == "running" { current.turn.outcome = "finished" }
                // Calls after the last step record (a turn cut short) still show.
                if !current.calls.isEmpty, !current.turn.steps.isEmpty {
                    current.turn.steps[current.turn.steps.count - 1].tools += current.calls
                }
                turns.append(current.turn)
                if turns.count > limit { turns.removeFirst(turns.count - limit) }
                open = nil
            default:
                break
            }
        }

        /// A step's record: the step, with the calls streamed in it and those the host timed.
        private mutating func endStep(_ record: JSONValue) {
            guard var current = open else { return }
            let number = { (key: String) in record[key]?.doubleValue ?? 0 }
            var step = Step(
                step: Int(number("step")), model: record["model"]?.stringValue ?? "", generation: Int(number("generation")),
                version: record["version"]?.stringValue ?? "", inputTokens: Int(number("inputTokens")),
                outputTokens: Int(number("outputTokens")), tokensReported: record["tokensReported"]?.boolValue ?? false,
                durationMs: number("durationMs"), finishReason: record["finishReason"]?.stringValue ?? ""
            )
            var tools = current.calls
            for timed in record["tools"]?.arrayValue ?? [] {
                guard let callId = timed["toolCallId"]?.stringValue else { continue }
                if let index = tools.firstIndex(where: { $0.toolCallId == callId }) {
                    tools[index].durationMs = timed["durationMs"]?.doubleValue
                } else {
                    // A call answered before this step ran it (an approval): its part came in an earlier turn.
                    tools.append(Tool(
                        toolCallId: callId, toolName: timed["toolName"]?.stringValue ?? "",
                        durationMs: timed["durationMs"]?.doubleValue, state: "output-available"
                    ))
                }
            }
            step.tools = tools
            current.turn.steps.append(step)
            current.calls = []
            open = current
        }

        private static func set(state: String, of callId: String, in current: inout OpenTurn) {
            if let index = current.calls.firstIndex(where: { $0.toolCallId == callId }) {
                current.calls[index].state = state
            } else if let step = current.turn.steps.indices.last,
                      let index = current.turn.steps[step].tools.firstIndex(where: { $0.toolCallId == callId }) {
                current.turn.steps[step].tools[index].state = state
            }
        }
    }
}

extension Duration {
    /// The duration in milliseconds, fractions included.
    var milliseconds: Double { totalSeconds * 1000 }
}
