// swift-tools-version: 6.1
import CompilerPluginSupport
import PackageDescription

/// Plugins are self-contained `.so` files: AgentKit is linked in statically and the
/// image is marked NODELETE so a stray `dlclose` can never unmap Swift metadata.
let pluginLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "nodelete"])
]

let package = Package(
    name: "agent-host",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agent-host", targets: ["agent-host"]),
        .library(name: "AgentKit", targets: ["AgentKit"]),
        .library(name: "MyChat", type: .dynamic, targets: ["MyChat"]),
        .library(name: "ToolsDemo", type: .dynamic, targets: ["ToolsDemo"]),
        .library(name: "SubAgentsDemo", type: .dynamic, targets: ["SubAgentsDemo"]),
        // Two builds of one test agent whose behaviour differs, for redeploy tests and demos.
        .library(name: "UpgradeDemoV1", type: .dynamic, targets: ["UpgradeDemoV1"]),
        .library(name: "UpgradeDemoV2", type: .dynamic, targets: ["UpgradeDemoV2"]),
        .library(name: "UpgradeDemoV1Drain", type: .dynamic, targets: ["UpgradeDemoV1Drain"]),
        .library(name: "CTools", type: .dynamic, targets: ["CTools"]),
        /// Lifecycle hooks and typed clientData (README, "Lifecycle hooks").
        .library(name: "HooksDemo", type: .dynamic, targets: ["HooksDemo"]),
        /// A test agent that reports every hook it hears (Tests/Fixtures/HooksProbe).
        .library(name: "HooksProbe", type: .dynamic, targets: ["HooksProbe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // The shared store for several daemons (`serve --database postgres://…`); SQLite stays the default.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Observability (README, "Observability"): metrics exposed for Prometheus, traces over OTLP/HTTP.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP/HTTP only: the gRPC exporter would pull in grpc-swift for nothing.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // For the `#agentPlugin` macro only (AgentKitMacros); 603 is the release that matches Swift 6.3.
        .package(url: "https://github.com/swiftlang/swift-syntax.git", from: "603.0.1"),
    ],
    targets: [
        .target(name: "CAgentABI"),
        /// libffi, for C tools: the host calls plain C functions a plugin describes in its manifest.
        .systemLibrary(name: "CFFI", pkgConfig: "libffi", providers: [.apt(["libffi-dev"])]),
        /// Hands Swift the `ffi_type_*` globals, which Swift 6 rejects as not concurrency-safe.
        .target(name: "CFFIShim", dependencies: ["CFFI"]),
        .target(name: "AgentWire", dependencies: ["CAgentABI"]),
        .target(name: "AgentKit", dependencies: ["CAgentABI", "AgentWire", "AgentKitMacros"]),
        /// `#agentPlugin(version:agents:)`: expands to a plugin's `agent_plugin_entry_v1` entry point.
        .macro(
            name: "AgentKitMacros",
            dependencies: [
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ]
        ),
        .target(
            name: "AgentHost",
            dependencies: [
                "CAgentABI",
                "AgentWire",
                "CFFIShim",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The second shutdown signal (`GracefulShutdown`); built with ServiceLifecycle anyway.
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            // The playground page, the browser SDK and the OpenAPI document, compiled into the binary:
            // no npm, no files to ship.
            resources: [.embedInCode("Playground"), .embedInCode("OpenAPI")]
        ),
        /// One client for the daemon's HTTP API: the CLI's chat and bench, and the integration tests.
        .target(
            name: "AgentHostClient",
            dependencies: ["AgentWire", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .executableTarget(
            name: "agent-host",
            dependencies: [
                "AgentHost",
                "AgentHostClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(name: "MyChat", dependencies: ["AgentKit"], path: "Plugins/MyChat", linkerSettings: pluginLinkerSettings),
        .target(name: "ToolsDemo", dependencies: ["AgentKit"], path: "Plugins/ToolsDemo", linkerSettings: pluginLinkerSettings),
        .target(name: "SubAgentsDemo", dependencies: ["AgentKit"], path: "Plugins/SubAgentsDemo", linkerSettings: pluginLinkerSettings),
        .target(name: "UpgradeDemoCore", dependencies: ["AgentKit"], path: "Plugins/UpgradeDemo/Core"),
        .target(name: "UpgradeDemoV1", dependencies: ["UpgradeDemoCore"], path: "Plugins/UpgradeDemo/V1", linkerSettings: pluginLinkerSettings),
        .target(name: "UpgradeDemoV2", dependencies: ["UpgradeDemoCore"], path: "Plugins/UpgradeDemo/V2", linkerSettings: pluginLinkerSettings),
        .target(
            name: "UpgradeDemoV1Drain", dependencies: ["UpgradeDemoCore"], path: "Plugins/UpgradeDemo/V1Drain",
            linkerSettings: pluginLinkerSettings
        ),
        /// An agent written in C only: `agent_plugin.h` and nothing else (README, "Agents in C").
        .target(name: "CTools", dependencies: ["CAgentABI"], path: "Plugins/CTools"),
        .target(name: "HooksDemo", dependencies: ["AgentKit"], path: "Plugins/HooksDemo", linkerSettings: pluginLinkerSettings),
        .target(
            name: "HooksProbe", dependencies: ["AgentKit"], path: "Tests/Fixtures/HooksProbe", linkerSettings: pluginLinkerSettings
        ),
        /// What both test targets share: the C compiler lookup, the daemon process, `withDaemon`.
        .target(name: "TestSupport", dependencies: ["AgentWire", "AgentHostClient"], path: "Tests/TestSupport"),
        .testTarget(name: "AgentKitTests", dependencies: ["AgentKit"]),
        .testTarget(
            name: "AgentKitMacrosTests",
            dependencies: [
                "AgentKitMacros",
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
            ]
        ),
        .testTarget(
            name: "AgentHostTests",
            dependencies: [
                "AgentHost", "AgentWire", "TestSupport", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "AgentWire",
                "AgentHostClient",
                "TestSupport",
                // The provider tests drive AnthropicModel/OpenAIModel directly too, against
                // a fake provider server (Hummingbird) running inside the test process.
                "AgentHost",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ]
)
