import AgentHostClient
import AgentWire
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `agent-host chat AGENT [--chat ID]`: a terminal chat with a running daemon.
///
/// Each line you type is one user message; the answer streams as it is written.
/// `/attach FILE` uploads a file to the session; it goes with the next message.
/// Ctrl-C during an answer stops it (a `{"kind":"stop"}` input), a second one
/// quits; Ctrl-C or Ctrl-D at the prompt quits. Reopening a chat with `--chat`
/// shows its history and follows an answer that is still running.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with an agent in the terminal (streams; Ctrl-C stops an answer; resumes dropped connections)."
    )

    @Argument(help: "The agent to talk to, e.g. my-chat.")
    var agent: String

    @Option(help: "Chat id to open or create (default: a new one).")
    var chat: String?

    @OptionGroup var connection: DaemonConnection

    func run() async throws {
        // The secret key, not a session token: the terminal runs on the daemon's
        // machine (like `agent-host token`), so there is no token to refresh.
        let daemon = try connection.client()
        let chatId = chat ?? "cli-" + UUID().uuidString.prefix(8).lowercased()
        let printer = ChunkPrinter()
        do {
            _ = try await daemon.createSession(chatId, agent: agent)
        } catch {
            throw ValidationError("cannot open chat \(chatId): \(error)")
        }
        printer.note("chat \(chatId) with \(agent) · /attach FILE adds a file · Ctrl-C stops an answer · Ctrl-D quits")
        for message in try await daemon.history(chatId) {
            printer.write(printer.style(message.role == "user" ? "you › " : "\(agent) › ", message.role == "user" ? "1;36" : "1;35"))
            let files = message.files.map { "[\($0.filename ?? $0.mediaType)] " }.joined()
            printer.write(files + message.text + "\n")
        }

        let interrupts = Interrupts()
        if let running = try await daemon.activeTurn(chatId) {
            try await stream(turn: running, chatId: chatId, daemon: daemon, interrupts: interrupts, printer: printer)
        }
        let lines = StandardInputLines.stream()
        var iterator = lines.makeAsyncIterator()
        // Files attached with `/attach`, sent with the next message.
        var attached: [UIMessage.FilePart] = []
        while true {
            printer.write(printer.style("you › ", "1;36"))
            guard let line = await iterator.next() else {
                printer.endTurn()
                return
            }
            printer.inputEnded(line)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "/attach" || trimmed.hasPrefix("/attach ") {
                let path = trimmed.dropFirst("/attach".count).trimmingCharacters(in: .whitespaces)
                guard !path.isEmpty else {
                    printer.note("usage: /attach FILE (the file goes with your next message)")
                    continue
                }
                do {
                    let (part, stored) = try await daemon.attach(path: NSString(string: path).expandingTildeInPath, chatId: chatId)
                    attached.append(part)
                    printer.note("attached \(part.filename ?? path) (\(stored.mediaType), \(stored.size) bytes); it goes with your next message")
                } catch {
                    printer.note("cannot attach \(path): \(error)")
                }
                continue
            }
            guard !trimmed.isEmpty else { continue }
            var message = UIMessage.text(line, role: "user", id: UUID().uuidString)
            message.parts = attached.map(\.json) + message.parts
            attached = []
            let inSeq = try await daemon.send(message: message, chatId: chatId, trigger: "submit-message")
            try await stream(turn: inSeq, chatId: chatId, daemon: daemon, interrupts: interrupts, printer: printer)
        }
    }

    /// Prints one turn; Ctrl-C asks the agent to stop, a second Ctrl-C quits.
    private func stream(turn inSeq: Int64, chatId: String, daemon: AgentHostClient, interrupts: Interrupts, printer: ChunkPrinter) async throws {
        printer.write(printer.style("\(agent) › ", "1;35"))
        try await interrupts.during({ presses in
            if presses == 1 {
                printer.interrupted("stopping the answer… (Ctrl-C again quits)")
                Task { _ = try? await daemon.stop(chatId: chatId) }
            } else {
                Glibc.exit(130)
            }
        }) {
            try await daemon.follow(
                turn: inSeq, chatId: chatId,
                onReconnect: { seq in
                    FileHandle.standardError.write(Data(printer.style("\n[connection lost; resuming after seq \(seq)]\n", "2").utf8))
                },
                onChunk: { chunk in printer.print(chunk) }
            )
        }
        printer.endTurn()
    }
}
