import AgentKit
import Foundation

/// A test and demo agent, `upgrade-demo`, built twice (products `UpgradeDemoV1`
/// and `UpgradeDemoV2`) so a redeploy visibly changes behaviour:
///
/// - every run first writes `data-build` with its version, so a stream shows
///   which build served each part of a turn;
/// - it counts its turns in the session's agent state: build 1 saves
///   `{"count": n}`, build 2 saves `{"visits": n}` and migrates build 1's shape;
/// - a `pause` tool sleeps (or, given `until`, waits until that file exists), so
///   a turn can be caught at a step boundary whatever the machine's load;
/// - a `signOff` tool needs approval and reports the build that ran it, so an
///   approval given across a redeploy shows which build served it;
/// - `/history` makes it read the whole conversation (`run.messages.load()`)
///   and report it in `data-history`: how the past reaches an agent that asks.
public func makeUpgradeDemo(version: String, upgrade: UpgradePolicy = .migrate) -> ChatAgent {
    let pause = Tool(
        name: "pause",
        description: "Waits for the given number of milliseconds, then reports it.",
        inputSchema: [
            "type": "object", "properties": ["ms": ["type": "number"], "until": ["type": "string"]], "required": ["ms"],
        ]
    ) { (input: PauseInput) in
        if let path = input.until {
            // At most a minute: a test that never opens the gate must still end.
            for _ in 0..<6000 where !FileManager.default.fileExists(atPath: path) {
                try await Task.sleep(for: .milliseconds(10))
            }
        } else {
            try await Task.sleep(for: .milliseconds(max(0, min(input.ms, 60_000))))
        }
        return PauseOutput(waited: input.ms, build: version)
    }
    // Needs a person's approval: the build that runs it, once approved, is in its output.
    let signOff = Tool(
        name: "signOff",
        description: "Signs a request off; a person approves it first. Reports the build that signed.",
        inputSchema: ["type": "object", "properties": [:]],
        needsApproval: .always
    ) { (_: SignOffInput) in
        SignOffOutput(signedBy: version)
    }
    return ChatAgent(
        id: "upgrade-demo",
        tools: [pause, signOff],
        upgrade: upgrade,
        migrate: version == "2" ? migrateCountToVisits : nil
    ) { run in
        try run.writeData("build", ["version": .string(version)], transient: true)
        // A resumed turn was already counted by the build it started on.
        let step = run.resumed ? 0 : 1
        let turns: Int
        if version == "2" {
            turns = (try run.state(as: Visits.self)?.visits ?? 0) + step
            try await run.saveState(Visits(visits: turns))
        } else {
            turns = (try run.state(as: Count.self)?.count ?? 0) + step
            try await run.saveState(Count(count: turns))
        }
        try run.writeData("turns", ["build": .string(version), "turns": .number(Double(turns))], transient: true)
        if run.messages.last?.text == "/history" {
            let messages = try await run.messages.load()
            let userTexts = messages.filter { $0.role == "user" }.map { JSONValue.string($0.text) }
            try run.writeData(
                "history",
                ["count": .number(Double(run.messages.count)), "loaded": .number(Double(messages.count)), "userTexts": .array(userTexts)],
                transient: true
            )
        }
        return try await streamText(model: .default, messages: run.messages, signal: run.signal, stopWhen: .stepCount(5))
    }
}

struct PauseInput: Codable, Sendable {
    var ms: Int
    /// A file whose appearance ends the pause instead of the clock.
    var until: String?
}

struct PauseOutput: Codable, Sendable {
    var waited: Int
    var build: String
}

struct SignOffInput: Codable, Sendable {}

struct SignOffOutput: Codable, Sendable {
    var signedBy: String
}

struct Count: Codable, Sendable {
    var count: Int
}

struct Visits: Codable, Sendable {
    var visits: Int
}

/// Build 2's `migrate` hook: build 1 called the counter `count`.
@Sendable func migrateCountToVisits(fromVersion: String, state: JSONValue) throws -> JSONValue {
    guard fromVersion == "1", let count = state["count"] else { return state }
    return ["visits": count]
}
