import AgentWire
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes a turn's UI message chunks to the terminal as they arrive: text as
/// is, tool calls and errors as dim or red notes. Colours only on a terminal.
/// Shared by the streaming loop and the Ctrl-C handler, so it keeps its one
/// piece of state (is the cursor at the start of a line?) behind a lock.
final class ChunkPrinter: Sendable {
    let colour = isatty(STDOUT_FILENO) == 1
    private let lineStart = Mutex(true)

    func style(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func write(_ text: String) {
        guard !text.isEmpty else { return }
        lineStart.withLock { atLineStart in
            FileHandle.standardOutput.write(Data(text.utf8))
            atLineStart = text.hasSuffix("\n")
        }
    }

    private var atLineStart: Bool { lineStart.withLock { $0 } }

    /// After a Ctrl-C the terminal has echoed `^C`: continue on a fresh line.
    func interrupted(_ text: String) {
        lineStart.withLock { atLineStart in
            let prefix = atLineStart ? "" : "\n"
            FileHandle.standardOutput.write(Data((prefix + style(text, "2") + "\n").utf8))
            atLineStart = true
        }
    }

    /// A note on a line of its own.
    func note(_ text: String, _ code: String = "2") {
        if !atLineStart { write("\n") }
        write(style(text, code) + "\n")
    }

    /// After the user's line: a terminal echoed it with its newline; piped input
    /// is echoed here, so a transcript reads like the session.
    func inputEnded(_ line: String) {
        if isatty(STDIN_FILENO) == 1 {
            lineStart.withLock { $0 = true }
        } else {
            write(line + "\n")
        }
    }

    func endTurn() {
        if !atLineStart { write("\n") }
    }

    func print(_ chunk: JSONValue) {
        switch chunk["type"]?.stringValue {
        case "text-delta":
            write(chunk["delta"]?.stringValue ?? "")
        case "reasoning-delta":
            write(style(chunk["delta"]?.stringValue ?? "", "2;3"))
        case "tool-input-available":
            let input = (try? WireCoding.encodeString(chunk["input"] ?? .null)) ?? ""
            note("→ \(chunk["toolName"]?.stringValue ?? "tool")(\(input))")
        case "tool-output-available":
            note("← \((try? WireCoding.encodeString(chunk["output"] ?? .null)) ?? "")")
        case "tool-output-error", "tool-input-error":
            note("✗ tool failed: \(chunk["errorText"]?.stringValue ?? "")", "31")
        case "tool-approval-request":
            note("⏸ the agent asks for approval of a tool call (answer it from the playground or your app)", "33")
        case "error":
            note("error: \(chunk["errorText"]?.stringValue ?? "the agent failed")", "31")
        case "abort":
            note("[stopped]")
        case "data-upgraded":
            note("[continued on a new build of the agent]")
        case "data-interrupted":
            note("[interrupted; resuming]")
        default:
            break
        }
    }
}
