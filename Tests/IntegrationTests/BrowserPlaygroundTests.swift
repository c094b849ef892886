import Foundation
import TestSupport
import Testing

/// The playground in a real browser: headless Chromium driven by Selenium
/// (`Tests/Browser/playground_test.py`) against the real daemon binary.
///
/// Chromium, chromedriver and Selenium are installed by `.ci/run`. When they
/// are missing this test fails with the script's message; it never skips.
@Suite struct BrowserPlaygroundTests {
    /// Screenshots are kept after the run (under `.build/`, which git ignores).
    static var screenshotDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["AGENT_HOST_SCREENSHOT_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return TestPackage.root.appendingPathComponent(".build/browser-screenshots")
    }

    /// Runs the browser script with `arguments` (a mode flag and URLs; the screenshot
    /// directory is added after the first URL) and expects it to pass with `passLine`.
    private static func runScript(_ arguments: [String], passLine: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let script = TestPackage.root.appendingPathComponent("Tests/Browser/playground_test.py")
        var arguments = arguments
        let firstURL = (arguments.firstIndex { $0.hasPrefix("http") } ?? 0) + 1
        arguments.insert(screenshotDirectory.path, at: firstURL)
        let (status, transcript) = try Command.run(["python3", script.path] + arguments)
        print(transcript)
        #expect(status == 0, "the browser test failed:\n\(transcript)", sourceLocation: sourceLocation)
        #expect(transcript.contains(passLine), sourceLocation: sourceLocation)
    }

    @Test func chatStreamsSurvivesAReloadMidAnswerStopsAndAsksForTheKeyWhenNotLocal() async throws {
        // ~60 ms between words: `/slow 40` streams for about 2.4 s, long enough to reload in.
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "60"]) { daemon, _ in
            // A second daemon whose playground routes always need the secret key: how the page
            // behaves for a browser on another machine.
            let keyed = try DaemonProcess(environment: ["AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK": "0"])
            try keyed.start()
            defer { keyed.stop() }

            try Self.runScript([daemon.playgroundURL, keyed.baseURL, keyed.secretKey], passLine: "PASS:")
        }
    }

    @Test func approveAndDenyButtonsAndAClientSideToolInThePlayground() async throws {
        try await withDaemon(plugins: [DaemonProcess.myChatPlugin, DaemonProcess.toolsDemoPlugin]) { daemon, _ in
            try Self.runScript(["--approvals", daemon.playgroundURL], passLine: "PASS: playground approvals")
        }
    }

    /// A sub-agent at work inside its parent's tool card: the researcher's answer grows while the
    /// orchestrator's tool runs, then the final output, and the card links to the child session.
    @Test func theSubAgentsProgressShowsInsideTheToolCard() async throws {
        try await withDaemon(
            plugins: [DaemonProcess.myChatPlugin, DaemonProcess.subAgentsDemoPlugin],
            environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "60"]
        ) { daemon, _ in
            try Self.runScript(["--subagents", daemon.playgroundURL], passLine: "PASS: playground sub-agents")
        }
    }

    /// Files attached with the picker and by drag-and-drop: the large image is uploaded, the
    /// small files travel as data URLs, the scripted model says what it got, and the message
    /// shows a thumbnail and chips, also after a reload.
    @Test func attachFilesWithThePickerAndByDragAndDrop() async throws {
        try await withDaemon { daemon, _ in
            try Self.runScript(["--attachments", daemon.playgroundURL], passLine: "PASS: playground attachments")
        }
    }
}
