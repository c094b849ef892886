import AgentKit

/// An orchestrator that delegates (README, "Sub-agents"). Its tools run other
/// agents as child sessions; the user watches each child answer inside the
/// tool card (preliminary outputs), and the orchestrator's model gets the
/// child's final answer as the tool's output.
///
/// - `research` hands a question to the `researcher` agent (Researcher.swift).
/// - `askAgent` asks any agent by id, in any loaded plugin (e.g. MyChat's
///   `my-chat`), from code (`ToolContext.callAgent`), and shapes the output:
///   the child's text and its session id.
/// - `deeper` hands its own request to a fresh orchestrator, which calls
///   `deeper` again: the recursion ends at the daemon's depth limit
///   (`serve --max-agent-depth`), whose error the deepest model reads.
///
/// Offline, the scripted model's `/tool NAME {json}` calls them:
/// `/tool research {"message":"/slow 20"}` streams the researcher's twenty
/// words into the card, then `research returned "1 2 … 20"`.

struct AskAgentInput: Codable, Sendable {
    /// The id of the agent to ask.
    let agent: String
    /// The message it answers.
    let message: String
}

let research = Tool.agent(
    name: "research", agent: "researcher",
    description: "Ask the researcher agent to look something up. Give it one complete question; it answers in prose."
)

let askAgent = Tool(
    name: "askAgent",
    description: "Ask another agent, by its id, a question; returns its answer and its session id.",
    inputSchema: [
        "type": "object",
        "properties": [
            "agent": ["type": "string", "description": "The agent's id, e.g. \"researcher\""],
            "message": ["type": "string", "description": "The question, complete in itself"],
        ],
        "required": ["agent", "message"],
    ]
) { (input: AskAgentInput, context: ToolContext) -> JSONValue in
    let answer = try await context.callAgent(input.agent, message: input.message)
    return ["answer": .string(answer.text), "chatId": .string(answer.chatId)]
}

let deeper = Tool(
    name: "deeper",
    description: "Hands the request to another orchestrator, which does the same: a recursion the daemon bounds.",
    inputSchema: ["type": "object", "properties": [:]]
) { (_: JSONValue, context: ToolContext) -> String in
    try await context.callAgent("orchestrator", message: "/tool deeper {}").text
}

let orchestrator = ChatAgent(id: "orchestrator", tools: [research, askAgent, deeper]) { run in
    try await streamText(
        model: .default,
        system: "You coordinate other agents. Use research for questions that need looking up, "
            + "askAgent to ask a named agent, and answer the user with what they found.",
        messages: run.messages,
        signal: run.signal,
        stopWhen: .stepCount(6),
        tools: run.tools
    )
}

#agentPlugin(version: "1.0.0", agents: [orchestrator, researcher])
