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

    func print(_ chunk: UIChunk) {
        switch chunk {
        case .textDelta(_, let delta):
            write(delta)
        case .reasoningDelta(_, let delta):
            write(style(delta, "2;3"))
        case .toolInputAvailable(_, let name, let input):
            note("→ \(name)(\((try? WireCoding.encodeString(input)) ?? ""))")
        case .toolOutputAvailable(_, let output):
            note("← \((try? WireCoding.encodeString(output)) ?? "")")
        case .toolOutputPreliminary(_, let output):
            note("… \((try? WireCoding.encodeString(output)) ?? "")", "2")
        case .toolOutputError(_, let errorText), .toolInputError(_, _, _, let errorText):
            note("✗ tool failed: \(errorText)", "31")
        case .toolApprovalRequest:
            note("⏸ the agent asks for approval of a tool call (answer it from the playground or your app)", "33")
        case .error(let errorText):
            note("error: \(errorText)", "31")
        case .abort:
            note("[stopped]")
        default:
            switch chunk.control {
            case .upgraded: note("[continued on a new build of the agent]")
            case .interrupted: note("[interrupted; resuming]")
            default: break
            }
        }
    }
}
