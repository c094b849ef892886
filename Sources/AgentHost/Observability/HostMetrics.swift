import Foundation
import CoreMetrics
import Metrics
import Prometheus

/// The daemon's metrics: every name, label and histogram bucket lives here, and
/// call sites say what happened (`turnStarted(agent:generation:)`), not how it is counted.
///
/// Recorded through swift-metrics with a factory of its own (not the process-global
/// `MetricsSystem`, which may be bootstrapped once per process): a test builds as many
/// hosts as it likes, each with its own registry, and the daemon hands in the registry
/// the executable bootstrapped, so library metrics land on the same `/metrics`.
///
/// Names follow Prometheus conventions: `agent_host_` prefix, base units (seconds),
/// `_total` for counters, and bounded labels only — agent id, generation, provider,
/// model, tool name, outcome; never a chat id.
public struct HostMetrics: Sendable {
    /// What `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let processCPU = ProcessCPUCounter()

    /// Metric names: one place, so a rename is one edit (README, "Observability").
    enum Name {
        static let turnsStarted = "agent_host_turns_started_total"
        static let turnsEnded = "agent_host_turns_ended_total"
        static let turnDuration = "agent_host_turn_duration_seconds"
        static let turnFirstChunk = "agent_host_turn_first_chunk_seconds"
        static let chunksPersisted = "agent_host_log_records_persisted_total"
        static let commitBatch = "agent_host_log_commit_batch_records"
        static let commitDuration = "agent_host_log_commit_duration_seconds"
        static let modelRequests = "agent_host_model_requests_total"
        static let modelRetries = "agent_host_model_retries_total"
        static let modelErrors = "agent_host_model_errors_total"
        static let modelDuration = "agent_host_model_request_duration_seconds"
        static let modelTokens = "agent_host_model_tokens_total"
        static let toolCalls = "agent_host_tool_calls_total"
        static let toolDuration = "agent_host_tool_call_duration_seconds"
        static let liveSessions = "agent_host_live_sessions"
        static let sessionsByStatus = "agent_host_live_sessions_by_status"
        static let generations = "agent_host_generations"
        static let pluginRefusals = "agent_host_plugin_refusals_total"
        static let residentMemory = "process_resident_memory_bytes"
        static let cpuSeconds = "process_cpu_seconds_total"
    }

    /// How a turn, a model request or a tool call ended: a bounded label value.
    public enum Outcome: String, Sendable {
        case completed, stopped, errored
    }

    /// - Parameters:
    ///   - registry: where the metrics are kept and `/metrics` reads them; a fresh one by default.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // Buckets per histogram, in seconds: a turn runs for minutes, a commit for milliseconds.
        factory.durationHistogramBuckets = [
            Name.turnDuration: Self.seconds([0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]),
            Name.turnFirstChunk: Self.seconds([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]),
            Name.commitDuration: Self.seconds([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]),
            Name.modelDuration: Self.seconds([0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]),
            Name.toolDuration: Self.seconds([0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]),
        ]
        factory.valueHistogramBuckets = [Name.commitBatch: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]]
        self.factory = factory
    }

    private static func seconds(_ values: [Double]) -> [Duration] {
        values.map { .nanoseconds(Int64($0 * 1_000_000_000)) }
    }

    // MARK: Turns

    /// A turn began; `generation` is the agent's active build then (nil: none is).
    public func turnStarted(agent: String, generation: Int?) {
        counter(Name.turnsStarted, ["agent": agent, "generation": Self.label(generation)]).increment()
    }

    /// A turn ended: how, on which build, and how long it took from its start.
    public func turnEnded(agent: String, generation: Int?, outcome: Outcome, duration: Duration) {
        let labels = ["agent": agent, "generation": Self.label(generation)]
        counter(Name.turnsEnded, labels.merging(["outcome": outcome.rawValue]) { $1 }).increment()
        timer(Name.turnDuration, labels).record(duration: duration)
    }

    /// The turn's first streamed content (text, reasoning or a tool call) was persisted `latency` after the turn began.
    public func turnFirstChunk(agent: String, generation: Int?, latency: Duration) {
        timer(Name.turnFirstChunk, ["agent": agent, "generation": Self.label(generation)]).record(duration: latency)
    }

    // MARK: The log writer

    /// One group commit of `records` records took `duration`.
    public func logCommitted(records: Int, duration: Duration) {
        counter(Name.chunksPersisted, [:]).increment(by: records)
        CoreMetrics.Recorder(label: Name.commitBatch, dimensions: [], factory: factory).record(records)
        timer(Name.commitDuration, [:]).record(duration: duration)
    }

    // MARK: Models

    /// A model request ended (`.completed`, `.stopped` when its turn was stopped, `.errored`).
    /// - Parameters:
    ///   - errorKind: what failed, for `agent_host_model_errors_total` (a bounded value, e.g. `rateLimited`).
    public func modelRequest(
        provider: String, model: String, outcome: Outcome, errorKind: String? = nil, duration: Duration,
        inputTokens: Int, outputTokens: Int
    ) {
        let labels = ["provider": provider, "model": model]
        counter(Name.modelRequests, labels.merging(["outcome": outcome.rawValue]) { $1 }).increment()
        timer(Name.modelDuration, labels).record(duration: duration)
        if let errorKind { counter(Name.modelErrors, labels.merging(["kind": errorKind]) { $1 }).increment() }
        if inputTokens > 0 { counter(Name.modelTokens, labels.merging(["type": "input"]) { $1 }).increment(by: inputTokens) }
        if outputTokens > 0 { counter(Name.modelTokens, labels.merging(["type": "output"]) { $1 }).increment(by: outputTokens) }
    }

    /// A failed model request is asked again (`RetryingModel`).
    /// - Parameters:
    ///   - identifier: the model's `provider:model` identifier.
    public func modelRetried(identifier: String) {
        let (provider, model) = ModelCatalog.split(identifier)
        counter(Name.modelRetries, ["provider": provider, "model": model]).increment()
    }

    // MARK: Tools

    /// A tool call ended, `duration` after it began.
    /// - Parameters:
    ///   - tool: the tool's name, as the agent's manifest or the model named it.
    public func toolCall(tool: String, outcome: Outcome, duration: Duration) {
        counter(Name.toolCalls, ["tool": tool, "outcome": outcome.rawValue]).increment()
        timer(Name.toolDuration, ["tool": tool]).record(duration: duration)
    }

    // MARK: Plugins

    /// A plugin file was refused (a new refusal, not the same one seen again).
    public func pluginRefused() {
        counter(Name.pluginRefusals, [:]).increment()
    }

    // MARK: State, read at scrape time

    /// Sets the gauges that describe what the daemon holds now; `/metrics` calls it before rendering.
    /// - Parameters:
    ///   - sessionStatuses: the status of every session in memory.
    ///   - generations: every build the registry knows, with its agent and state.
    func recordState(sessionStatuses: [SessionStatus], generations: [GenerationInfo]) {
        gauge(Name.liveSessions, [:]).record(sessionStatuses.count)
        for status in SessionStatus.allCases {
            gauge(Name.sessionsByStatus, ["status": status.rawValue]).record(sessionStatuses.count { $0 == status })
        }
        for agent in Set(generations.map(\.agent)) {
            let own = generations.filter { $0.agent == agent }
            for state in [GenerationInfo.State.active, .draining, .retired] {
                gauge(Name.generations, ["agent": agent, "state": state.rawValue]).record(own.count { $0.state == state })
            }
        }
        gauge(Name.residentMemory, [:]).record(ProcessMemory.residentBytes())
        processCPU.advance(to: ProcessMemory.cpuSeconds(), counter: CoreMetrics.FloatingPointCounter(label: Name.cpuSeconds, factory: factory))
    }

    // MARK: Handles

    private func counter(_ name: String, _ labels: [String: String]) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: name, dimensions: Self.dimensions(labels), factory: factory)
    }

    private func timer(_ name: String, _ labels: [String: String]) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: name, dimensions: Self.dimensions(labels), factory: factory)
    }

    private func gauge(_ name: String, _ labels: [String: String]) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: name, dimensions: Self.dimensions(labels), factory: factory)
    }

    /// Sorted, so one label set is one series whatever order a call site wrote it in.
    private static func dimensions(_ labels: [String: String]) -> [(String, String)] {
        labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private static func label(_ generation: Int?) -> String {
        generation.map(String.init) ?? "none"
    }
}
