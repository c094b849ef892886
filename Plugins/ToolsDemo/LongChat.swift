import AgentKit

/// `long-chat`: steering and compaction. A message sent while it works is
/// injected into the running turn at its next step boundary (`.steer`), so
/// `/tool countdown {"ticks":50}` followed by "actually, stop counting" is read
/// by the model right after the tool returns. Once a step reads more than 2,000
/// input tokens the host summarises the conversation for the model; `/messages`
/// keeps it whole. Offline, `AGENT_HOST_MODEL=scripted:counting` reports
/// deterministic usage and `/history` shows what the model was given.
let longChat = ChatAgent(
    id: "long-chat",
    tools: [calculator, getWeather, countdown],
    messageConcurrency: .steer,
    compaction: CompactionPolicy(maxInputTokens: 2_000)
) { run in
    try await streamText(
        model: .default,
        system: "You are a helpful assistant for long conversations. Messages the user sends while you work "
            + "appear between your steps: take them into account at once.",
        messages: run.messages,
        signal: run.signal,
        stopWhen: .stepCount(8),
        tools: run.tools
    )
}
