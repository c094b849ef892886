import AgentKit
import Synchronization

/// `countdown`: a long tool that stops when the user stops the turn. It ticks
/// once every 100 ms and streams each tick as a preliminary output; the stop
/// button cancels the task it runs in (`context.signal`, `Task.isCancelled`),
/// so it ends at once instead of running on after the turn. `cancellations`
/// reports the calls that saw their cancellation, as proof.
struct CountdownInput: Codable, Sendable {
    /// How many ticks (100 ms each) before it returns; at most 100 000.
    let ticks: Int
}

/// Calls of `countdown` that observed their cancellation, oldest first.
let observedCancellations = Mutex<[String]>([])

let countdown = Tool(
    name: "countdown",
    description: "Counts down the given number of ticks, 100 ms each, showing every tick; stops when the user stops.",
    inputSchema: [
        "type": "object",
        "properties": ["ticks": ["type": "integer", "description": "How many ticks, e.g. 50 for five seconds"]],
        "required": ["ticks"],
        "additionalProperties": false,
    ]
) { (input: CountdownInput, context: ToolContext) in
    let ticks = min(max(input.ticks, 0), 100_000)
    do {
        for left in stride(from: ticks, to: 0, by: -1) {
            try context.writePreliminary(["left": .number(Double(left))])
            try await Task.sleep(for: .milliseconds(100))
        }
    } catch is CancellationError {
        observedCancellations.withLock { $0.append(context.toolCallId) }
        throw CancellationError()
    }
    let done: JSONValue = ["left": 0, "toolCallId": .string(context.toolCallId)]
    return done
}

let cancellations = Tool(
    name: "cancellations",
    description: "Lists the countdown calls that were stopped by the user.",
    inputSchema: ["type": "object", "properties": [:], "additionalProperties": false]
) { (_: [String: String]) in
    observedCancellations.withLock { $0 }
}
