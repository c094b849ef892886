import AgentHost
import ArgumentParser

/// What one client may cost the daemon (README, "Limits"): the flags `serve` and `dev` share.
struct ClientLimitOptions: ParsableArguments {
    @Option(help: "KiB a live stream reader may fall behind before the daemon drops it (it resumes with Last-Event-ID, losing nothing).")
    var readerBufferLimit: Int = LiveBufferLimit.defaultKiB

    func apply(to configuration: inout DaemonConfiguration) throws {
        guard readerBufferLimit >= 64 else { throw ValidationError("--reader-buffer-limit must be at least 64 (KiB)") }
        configuration.readerBufferBytes = readerBufferLimit * 1024
    }
}
