import AgentKit

/// `research`: a tool that shows its progress and gives the model less than
/// the UI. While it "reads" its sources it streams preliminary outputs
/// (`{"status":"reading","read":2,"total":3}`), which the client shows in place
/// of the result; its final output lists every source with its notes, while
/// the model gets only the summary and a count (`toModelOutput`) — in this turn
/// and in every later one.
struct ResearchInput: Codable, Sendable {
    let topic: String
    /// How many sources to read (1–10; 3 when absent).
    let sources: Int?
}

struct ResearchReport: Codable, Sendable {
    struct Source: Codable, Sendable {
        let title: String
        let notes: String
    }

    let topic: String
    let summary: String
    let sources: [Source]
}

let research = Tool(
    name: "research",
    description: "Reads a few sources about a topic and reports what they say; shows its progress while it reads.",
    inputSchema: [
        "type": "object",
        "properties": [
            "topic": ["type": "string", "description": "What to research"],
            "sources": ["type": "integer", "description": "How many sources to read, 1 to 10"],
        ],
        "required": ["topic"],
        "additionalProperties": false,
    ],
    toModelOutput: { (report: ResearchReport) in
        ["summary": .string(report.summary), "sourceCount": .number(Double(report.sources.count))]
    }
) { (input: ResearchInput, context: ToolContext) in
    let total = min(max(input.sources ?? 3, 1), 10)
    var sources: [ResearchReport.Source] = []
    for index in 1...total {
        try context.signal.throwIfAborted()
        try context.writePreliminary(["status": "reading", "read": .number(Double(index - 1)), "total": .number(Double(total))])
        // Reading takes a moment; a stop cancels the sleep.
        try await Task.sleep(for: .milliseconds(10))
        sources.append(.init(title: "\(input.topic) source \(index)", notes: "Notes on \(input.topic) from source \(index)."))
    }
    return ResearchReport(topic: input.topic, summary: "\(total) sources agree on \(input.topic).", sources: sources)
}
