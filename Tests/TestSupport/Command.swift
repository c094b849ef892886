import Foundation

/// A program run to its end, the way a shell would.
public enum Command {
    /// Runs `/usr/bin/env arguments…` and waits for it.
    /// - Parameters:
    ///   - arguments: The program (looked up on the PATH) and its arguments.
    /// - Returns: Its exit status and what it wrote to stdout and stderr, interleaved.
    public static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read before waiting: a child that fills the pipe would never exit.
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
