import Synchronization

/// What a turn's last model step cost and asked for: written by the step loop
/// after every step, read to decide on compaction (`CompactionPolicy`) — at a
/// step boundary and when the turn ends — and to ask the same model for the summary.
final class LastStepProbe: Sendable {
    /// One step as compaction needs it.
    struct Step: Sendable {
        /// The step's input tokens, as reported or estimated.
        var inputTokens: Int
        /// The step's output tokens, as reported or estimated.
        var outputTokens = 0
        /// How many messages the step's request had.
        var messageCount = 0
        /// The model the step's request named (nil: the daemon's default).
        var model: String?
        /// The step request's system prompt.
        var system: String?
    }

    private let step = Mutex<Step?>(nil)

    /// The latest step; nil while the turn made no model request.
    var last: Step? { step.withLock { $0 } }

    /// Records a finished step.
    /// - Parameters:
    ///   - inputTokens: What the step read.
    ///   - outputTokens: What it wrote.
    ///   - request: The step's request.
    ///   - model: The model it named.
    func record(inputTokens: Int, outputTokens: Int, request: ModelRequest, model: String?) {
        step.withLock {
            $0 = Step(
                inputTokens: inputTokens, outputTokens: outputTokens, messageCount: request.messages.count, model: model,
                system: request.system
            )
        }
    }
}
