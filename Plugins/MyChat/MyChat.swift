import AgentKit

/// The seed's quick-start agent: every turn streams the model's answer to the
/// conversation so far, for at most 15 steps.
let myChat = ChatAgent(id: "my-chat") { run in
    try await streamText(
        model: .default,
        messages: run.messages,
        signal: run.signal,
        stopWhen: .stepCount(15)
    )
}

#agentPlugin(version: "1.0.0", agents: [myChat])
