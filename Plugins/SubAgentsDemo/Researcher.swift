import AgentKit

/// The `researcher` agent: what the orchestrator's `research` tool delegates
/// to. It is an ordinary agent — a chat can talk to it directly too; as a
/// sub-agent it answers in a child session of the orchestrator's chat.
let researcher = ChatAgent(id: "researcher") { run in
    try await streamText(
        model: .default,
        system: "You are a careful researcher. Answer the question you are given in a few clear sentences.",
        messages: run.messages,
        signal: run.signal,
        stopWhen: .stepCount(4)
    )
}
