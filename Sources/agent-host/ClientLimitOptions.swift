import AgentHost
import ArgumentParser

/// What one client may cost the daemon (README, "Limits"): the flags `serve` and `dev` share.
struct ClientLimitOptions: ParsableArguments {
    @Option(help: "KiB a live stream reader may fall behind before the daemon drops it (it resumes with Last-Event-ID, losing nothing).")
    var readerBufferLimit: Int = LiveBufferLimit.defaultKiB

    @Option(help: "Open connections above which a new one is answered 503 and closed.")
    var maxConnections: Int = ConnectionLimits().maxConnections

    @Option(help: "Seconds from a request's first byte to the end of its headers; a slower client is disconnected.")
    var headerTimeout: Double = ConnectionLimits().headerTimeout.totalSeconds

    @Option(help: "Seconds from a request's headers to the end of its body; a slower client is disconnected.")
    var bodyTimeout: Double = ConnectionLimits().bodyTimeout.totalSeconds

    @Option(help: "Seconds a connection with no request in flight stays open (a streaming response is in flight).")
    var keepAliveTimeout: Double = ConnectionLimits().keepAliveTimeout.totalSeconds

    @Option(help: "Inputs that may wait behind a session's running turn; one more is answered 429.")
    var maxQueuedInputs: Int = InputLimits().maxQueuedInputs

    @Option(help: "KiB one input (a message or an action, as JSON) may be; a larger one is answered 413.")
    var maxInputSize: Int = InputLimits().maxInputBytes / 1024

    @Option(help: "Chunks one turn may stream; a turn that reaches it ends with an error.")
    var maxTurnChunks: Int = RunLimits().maxTurnOutputChunks

    func apply(to configuration: inout DaemonConfiguration) throws {
        guard readerBufferLimit >= 64 else { throw ValidationError("--reader-buffer-limit must be at least 64 (KiB)") }
        configuration.readerBufferBytes = readerBufferLimit * 1024
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard headerTimeout > 0, bodyTimeout > 0, keepAliveTimeout > 0 else {
            throw ValidationError("--header-timeout, --body-timeout and --keep-alive-timeout must be positive")
        }
        configuration.connectionLimits = ConnectionLimits(
            headerTimeout: .milliseconds(Int64(headerTimeout * 1000)), bodyTimeout: .milliseconds(Int64(bodyTimeout * 1000)),
            keepAliveTimeout: .milliseconds(Int64(keepAliveTimeout * 1000)), maxConnections: maxConnections
        )
        guard maxQueuedInputs >= 1, maxInputSize >= 1, maxTurnChunks >= 1 else {
            throw ValidationError("--max-queued-inputs, --max-input-size and --max-turn-chunks must be at least 1")
        }
        configuration.inputLimits = InputLimits(maxQueuedInputs: maxQueuedInputs, maxInputBytes: maxInputSize * 1024)
        configuration.runLimits.maxTurnOutputChunks = maxTurnChunks
    }
}
