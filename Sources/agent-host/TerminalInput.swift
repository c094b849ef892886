import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C for the terminal client. While a turn streams, each press goes to
/// the turn's handler (the first one stops the answer); at the prompt it quits.
final class Interrupts: @unchecked Sendable {
    // @unchecked: `source` is set once in init and never touched again (dispatch
    // sources are thread-safe); all mutable state is inside the Mutex.
    private let handler = Mutex<(@Sendable (Int) -> Void)?>(nil)
    private let presses = Mutex(0)
    private let source: any DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.fire() }
        source.resume()
    }

    /// Runs `body` with Ctrl-C routed to `onInterrupt(pressCount)`.
    func during<T>(_ onInterrupt: @escaping @Sendable (Int) -> Void, _ body: () async throws -> T) async rethrows -> T {
        presses.withLock { $0 = 0 }
        handler.withLock { $0 = onInterrupt }
        defer { handler.withLock { $0 = nil } }
        return try await body()
    }

    private func fire() {
        guard let onInterrupt = handler.withLock({ $0 }) else {
            FileHandle.standardOutput.write(Data("\n".utf8))
            exit(130)
        }
        onInterrupt(presses.withLock { count in
            count += 1
            return count
        })
    }
}

/// Lines from standard input, read on their own thread so a blocking read never
/// holds one of the few threads Swift concurrency runs on. Finishes at EOF (Ctrl-D).
enum StandardInputLines {
    static func stream() -> AsyncStream<String> {
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let thread = Thread {
            while let line = readLine(strippingNewline: true) {
                continuation.yield(line)
            }
            continuation.finish()
        }
        thread.start()
        return lines
    }
}
