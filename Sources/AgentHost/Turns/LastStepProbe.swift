import Synchronization

/// What a turn's last model step cost and asked for: written by the step loop
/// after every step, read by the turn runner when the turn ends to decide on
/// compaction (`CompactionPolicy`) and to ask the same model for the summary.
final class LastStepProbe: Sendable {
    /// One step as compaction needs it.
    struct Step: Sendable {
        /// The step's input tokens, as reported or estimated.
        var inputTokens: Int
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
    ///   - request: The step's request.
    ///   - model: The model it named.
    func record(inputTokens: Int, request: ModelRequest, model: String?) {
        step.withLock { $0 = Step(inputTokens: inputTokens, model: model, system: request.system) }
    }
}
