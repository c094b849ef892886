import Logging
import Metrics
import OTel
import Prometheus
import ServiceLifecycle
import Tracing

/// What the daemon process reports through: the metrics registry `/metrics`
/// renders, and the span exporter when tracing is on. The executable makes it
/// once (`bootstrap`), before the daemon runs; a daemon built without one (an
/// in-process test) gets a private registry and no tracing, and touches no
/// process-global system.
public struct DaemonObservability: Sendable {
    /// Where the daemon's metrics are kept; swift-metrics' global system too, once bootstrapped.
    public let registry: PrometheusCollectorRegistry
    /// Exports finished spans; runs beside the daemon's services, nil when tracing is off.
    let tracing: (any Service)?

    /// A private registry, no tracing, nothing global touched.
    public init() {
        registry = PrometheusCollectorRegistry()
        tracing = nil
    }

    private init(registry: PrometheusCollectorRegistry, tracing: (any Service)?) {
        self.registry = registry
        self.tracing = tracing
    }

    /// Whether spans are exported.
    public var tracesExported: Bool { tracing != nil }

    /// Bootstraps the process-global logging, metrics and (when configured) tracing
    /// systems. Each may be bootstrapped once per process: call this once, from the executable.
    /// - Parameters:
    ///   - logs: the log level and format.
    ///   - environment: the process's environment; tracing is on when it names an
    ///     OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
    ///     or an exporter (`OTEL_TRACES_EXPORTER`, not `none`), and `OTEL_SDK_DISABLED` is not `true`.
    public static func bootstrap(logs: LogSettings, environment: [String: String]) throws -> DaemonObservability {
        logs.bootstrap()
        let registry = PrometheusCollectorRegistry()
        // Library metrics (none today) land on the same `/metrics` as the daemon's own.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        guard tracingConfigured(environment) else { return DaemonObservability(registry: registry, tracing: nil) }
        var configuration = OTel.Configuration.default
        configuration.serviceName = environment["OTEL_SERVICE_NAME"] ?? "agent-host"
        // Traces only: metrics are scraped from `/metrics`, logs go to stdout.
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        // This build carries the OTLP/HTTP exporter only; `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` switches the encoding.
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return DaemonObservability(registry: registry, tracing: backend.service)
    }

    static func tracingConfigured(_ environment: [String: String]) -> Bool {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
        if let exporter = environment["OTEL_TRACES_EXPORTER"], !exporter.isEmpty { return exporter.lowercased() != "none" }
        return ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains { environment[$0]?.isEmpty == false }
    }
}
