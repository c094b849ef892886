import AgentWire
import Foundation

/// What `agent-host sessions` and `agent-host agents` print without `--json`:
/// the daemon's JSON replies as tables.
enum DaemonTables {
    /// Sessions (`GET /api/v1/sessions`): chat id, agent, status, last activity, last message.
    /// - Parameters:
    ///   - page: The list's reply.
    ///   - now: What "ago" counts from.
    static func sessions(_ page: JSONValue, now: Date = Date()) -> String {
        var table = TextTable(["CHAT ID", "AGENT", "STATUS", "LAST ACTIVITY", "LAST MESSAGE"])
        for session in page["data"]?.arrayValue ?? [] {
            let preview = session["lastMessage"]
            let times = [session["updatedAt"], preview?["at"]].compactMap { $0?.stringValue.flatMap(date) }
            let message = preview.map { preview in
                let who = preview["role"]?.stringValue == "user" ? "you" : "agent"
                return "\(who): \(preview["text"]?.stringValue ?? "")"
            } ?? "—"
            table.append([
                session["chatId"]?.stringValue ?? "?", session["agent"]?.stringValue ?? "?", session["status"]?.stringValue ?? "?",
                times.max().map { ago($0, now: now) } ?? "—", TextTable.cell(message, limit: 72),
            ])
        }
        guard !table.rows.isEmpty else { return "no sessions" }
        return table.text
    }

    /// Agents (`GET /api/v1/agents`): id, the active build (generation, version,
    /// sha prefix), how many builds drain, and the tools — a tool that
    /// delegates to an agent as `tool → agent`, one that waits for a person or
    /// runs on the client marked so. Refused files follow the table.
    /// - Parameters:
    ///   - snapshot: The agents' reply.
    static func agents(_ snapshot: JSONValue) -> String {
        var table = TextTable(["AGENT", "ACTIVE BUILD", "DRAINING", "TOOLS"])
        for agent in snapshot["agents"]?.arrayValue ?? [] {
            let generations = agent["generations"]?.arrayValue ?? []
            let active = generations.first { $0["id"] == agent["activeGeneration"] && agent["activeGeneration"] != nil }
            let build = active.map { generation in
                let sha = generation["sha256"]?.stringValue.map { String($0.prefix(12)) } ?? "?"
                return "gen \(number(generation["id"])) v\(generation["version"]?.stringValue ?? "?") \(sha)"
            } ?? "none"
            let draining = generations.filter { $0["state"] == "draining" }.count
            let tools = (agent["tools"]?.arrayValue ?? []).map(toolLabel)
            table.append([agent["id"]?.stringValue ?? "?", build, String(draining), tools.isEmpty ? "—" : tools.joined(separator: ", ")])
        }
        var lines = table.rows.isEmpty ? ["no agents loaded"] : [table.text]
        for refusal in snapshot["refusals"]?.arrayValue ?? [] {
            let file = refusal["file"]?.stringValue ?? "?"
            lines.append("refused: \(file): \(refusal["reason"]?.stringValue ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    private static func toolLabel(_ tool: JSONValue) -> String {
        var label = tool["name"]?.stringValue ?? "?"
        if let agent = tool["agent"]?.stringValue { label += " → \(agent)" }
        if tool["needsApproval"] != nil, tool["needsApproval"] != .null, tool["needsApproval"] != false { label += " (approval)" }
        if tool["clientSide"] == true { label += " (client)" }
        return label
    }

    private static func number(_ value: JSONValue?) -> String {
        value?.doubleValue.map { String(Int($0)) } ?? "?"
    }

    private static func date(_ text: String) -> Date? {
        ISO8601DateFormatter().date(from: text)
    }

    /// `5s ago`, `3m ago`, `2h ago`, `4d ago`.
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s ago"
        case ..<3600: return "\(seconds / 60)m ago"
        case ..<86400: return "\(seconds / 3600)h ago"
        default: return "\(seconds / 86400)d ago"
        }
    }
}
