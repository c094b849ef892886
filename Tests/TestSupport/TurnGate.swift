import Foundation

/// A file a scripted answer waits on: `/slow N hold PATH` streams three words,
/// then holds until PATH exists. A test that must act while a turn is running
/// (kill -9, stop, a storage fault) sends `gate.slow(N)`, acts once it has seen
/// the first words, and then opens the gate — the turn cannot have finished
/// meanwhile, however late a loaded machine lets the test run.
public struct TurnGate: Sendable {
    public let path: String

    /// - Parameters:
    ///   - directory: Where the gate file will appear (a fresh name in it).
    public init(directory: URL = FileManager.default.temporaryDirectory) {
        path = directory.appendingPathComponent("turn-gate-\(UUID().uuidString)").path
    }

    /// The message whose answer is `1 2 … words`, held after its third word.
    public func slow(_ words: Int) -> String { "/slow \(words) hold \(path)" }

    /// Lets held answers go on.
    public func open() {
        _ = FileManager.default.createFile(atPath: path, contents: Data())
    }

    /// Removes the gate file (after the test).
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
