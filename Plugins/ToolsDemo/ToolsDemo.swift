import AgentKit

/// A tools agent: the model may compute with `calculator`, look up
/// `getWeather`, `transfer` money (approval needed above 100, Transfer.swift)
/// and ask the browser for `getLocation`. Offline, the scripted model's
/// `/tool NAME {json}` calls them: `/tool calculator {"expression":"2+3"}`
/// streams the call and `5`; `/tool transfer {"amount":500}` asks for approval.
///
/// The call-aware tools (`ToolContext`): `research` streams its progress as
/// preliminary outputs and gives the model a compact form (Research.swift),
/// `countdown` stops when the user stops (Countdown.swift), and `meet` shows
/// the calls of one step running at the same time (Meet.swift):
/// `/tool research {"topic":"tides"}`, `/tool countdown {"ticks":50}`.

struct CalculatorInput: Codable, Sendable {
    /// An arithmetic expression such as `(2 + 3) * 4.5`.
    let expression: String
}

struct WeatherInput: Codable, Sendable {
    let city: String
}

let calculator = Tool(
    name: "calculator",
    description: "Evaluates an arithmetic expression with + - * /, parentheses and decimals; returns the number.",
    inputSchema: [
        "type": "object",
        "properties": [
            "expression": ["type": "string", "description": "The expression, e.g. \"(2 + 3) * 4.5\""],
        ],
        "required": ["expression"],
        "additionalProperties": false,
    ]
) { (input: CalculatorInput) in
    try Calculator.evaluate(input.expression)
}

let getWeather = Tool(
    name: "getWeather",
    description: "Current weather for a city: temperature in °C, condition and humidity.",
    inputSchema: [
        "type": "object",
        "properties": [
            "city": ["type": "string", "description": "City name, e.g. \"Berlin\""],
        ],
        "required": ["city"],
        "additionalProperties": false,
    ]
) { (input: WeatherInput) in
    try WeatherTable.report(for: input.city)
}

let toolsDemo = ChatAgent(
    id: "tools-demo", tools: [calculator, getWeather, transfer, getLocation, research, countdown, cancellations, meet]
) { run in
    try await streamText(
        model: .default,
        system: "You are a helpful assistant. Use the calculator tool for arithmetic, getWeather for the weather, "
            + "transfer to move money (the user approves large amounts) and getLocation to learn where the user is.",
        messages: run.messages,
        signal: run.signal,
        stopWhen: .stepCount(8),
        tools: run.tools
    )
}

#agentPlugin(version: "1.0.0", agents: [toolsDemo])
