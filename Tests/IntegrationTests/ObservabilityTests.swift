import AgentWire
import Foundation
import TestSupport
import Testing

/// Metrics, logs and traces of the real daemon after real turns (README, "Observability").
@Suite struct ObservabilityTests {
    // MARK: Metrics

    @Test func metricsCountTheTurnsModelRequestsAndToolCallsThatRan() async throws {
        // `scripted:counting` reports token usage, as a provider does.
        let environment = ["AGENT_HOST_MODEL": "scripted:counting"]
        try await withDaemon(plugins: [DaemonProcess.myChatPlugin, DaemonProcess.toolsDemoPlugin], environment: environment) { daemon, client in
            let before = try await PrometheusSamples.scrape(client)
            #expect(before.value("agent_host_turns_started_total", ["agent": "my-chat"]) == nil)
            #expect(before.value("agent_host_generations", ["agent": "my-chat", "state": "active"]) == 1)

            let turns = 3
            var chat = try await ChatSession(daemon: daemon, chatId: "metrics-chat", agent: "my-chat")
            for number in 1...turns {
                #expect(try await chat.turn("hello \(number)").finishReason == "stop")
            }
            var tools = try await ChatSession(daemon: daemon, chatId: "metrics-tools", agent: "tools-demo")
            #expect(try await tools.turn(#"/tool calculator {"expression":"2+3"}"#).text == "calculator returned 5")

            // A turn is counted once it is over, a moment after its last record is out: wait for that.
            var metrics = before
            do {
                try await waitUntil {
                    metrics = try await PrometheusSamples.scrape(client)
                    return metrics.value("agent_host_turns_ended_total", ["agent": "tools-demo"]) == 1
                        && metrics.value("agent_host_turns_ended_total", ["agent": "my-chat"]) == Double(turns)
                }
            } catch {
                // Once seen in a loaded full run: say what the counters held instead.
                let scraped = try await client.send(.GET, "/metrics", token: nil).body
                Issue.record("turn counters never reached 3 + 1: \(scraped.split(separator: "\n").filter { $0.hasPrefix("agent_host_turns_") })")
                throw error
            }
            let myChat = ["agent": "my-chat", "generation": "1"]
            #expect(metrics.value("agent_host_turns_started_total", myChat) == Double(turns))
            #expect(metrics.value("agent_host_turns_ended_total", myChat.merging(["outcome": "completed"]) { $1 }) == Double(turns))
            #expect(metrics.value("agent_host_turn_duration_seconds_count", myChat) == Double(turns))
            #expect(metrics.value("agent_host_turn_first_chunk_seconds_count", myChat) == Double(turns))
            #expect((metrics.value("agent_host_turn_duration_seconds_sum", myChat) ?? 0) > 0)
            // Every observation falls in the `+Inf` bucket.
            #expect(metrics.value("agent_host_turn_duration_seconds_bucket", myChat.merging(["le": "+Inf"]) { $1 }) == Double(turns))

            let scripted = ["provider": "scripted", "model": "counting"]
            // One request per my-chat turn, two for the tool turn (the call, then the answer).
            #expect(metrics.value("agent_host_model_requests_total", scripted.merging(["outcome": "completed"]) { $1 }) == Double(turns + 2))
            #expect((metrics.value("agent_host_model_tokens_total", scripted.merging(["type": "input"]) { $1 }) ?? 0) > 0)
            #expect((metrics.value("agent_host_model_tokens_total", scripted.merging(["type": "output"]) { $1 }) ?? 0) > 0)
            #expect(metrics.value("agent_host_model_request_duration_seconds_count", scripted) == Double(turns + 2))

            #expect(metrics.value("agent_host_tool_calls_total", ["tool": "calculator", "outcome": "completed"]) == 1)
            #expect(metrics.value("agent_host_tool_call_duration_seconds_count", ["tool": "calculator"]) == 1)

            #expect((metrics.value("agent_host_log_records_persisted_total") ?? 0) > 0)
            #expect((metrics.value("agent_host_log_commit_batch_records_count") ?? 0) > 0)
            #expect((metrics.value("agent_host_log_commit_duration_seconds_count") ?? 0) > 0)

            #expect(metrics.value("agent_host_live_sessions") == 2)
            #expect(metrics.value("agent_host_live_sessions_by_status", ["status": "idle"]) == 2)
            #expect(metrics.value("agent_host_live_sessions_by_status", ["status": "running"]) == 0)
            #expect((metrics.value("process_resident_memory_bytes") ?? 0) > 0)
            // Bounded labels: a chat id is never one.
            #expect(!metrics.text.contains("metrics-chat") && !metrics.text.contains("metrics-tools"))
            #expect(metrics.text.contains("# TYPE agent_host_turns_started_total counter"))
            #expect(metrics.text.contains("# TYPE agent_host_turn_duration_seconds histogram"))

            // A refused build is counted.
            #expect(metrics.value("agent_host_plugin_refusals_total") == nil)
            try daemon.drop(Data("not an ELF file".utf8), as: "libBroken.so")
            try await waitUntil { try await PrometheusSamples.scrape(client).value("agent_host_plugin_refusals_total") == 1 }
        }
    }

    // MARK: Logs

    @Test func debugLinesAreWrittenOnlyAtTheDebugLevel() async throws {
        let atInfo = try DaemonProcess.started(environment: [:])
        defer { atInfo.stop() }
        #expect(atInfo.log.contains(" notice agent-host: "), "\(atInfo.log)")
        #expect(!atInfo.log.contains(" debug agent-host: "), "\(atInfo.log)")

        let atDebug = try DaemonProcess(arguments: ["--log-level", "debug"])
        defer { atDebug.stop() }
        try atDebug.start()
        #expect(atDebug.log.contains(" debug agent-host: "), "\(atDebug.log)")

        // LOG_LEVEL when the flag is not given: at `warning` the notices go too.
        let atWarning = try DaemonProcess(environment: ["LOG_LEVEL": "warning"])
        defer { atWarning.stop() }
        try atWarning.start()
        #expect(!atWarning.log.contains(" notice agent-host: "), "\(atWarning.log)")
        #expect(!atWarning.log.contains(" info agent-host: "), "\(atWarning.log)")
    }

    @Test func anUnknownLogLevelStopsTheDaemonBeforeItServes() throws {
        let daemon = try DaemonProcess(arguments: ["--log-level", "loud"])
        defer { daemon.stop() }
        let ended = try daemon.runUntilExit()
        #expect(ended.status != 0)
        #expect(ended.log.contains("log level `loud` is not one of trace, debug, info, notice, warning, error, critical"), "\(ended.log)")
    }

    @Test func jsonLogLinesParseWithTheirMetadataAsFields() async throws {
        let daemon = try DaemonProcess(arguments: ["--log-format", "json"])
        defer { daemon.stop() }
        // The banner stays plain text: `start` found the port and the plugins-loaded line in it.
        try daemon.start()
        #expect(!daemon.baseURL.isEmpty)
        let lines = daemon.log.split(separator: "\n").filter { $0.hasPrefix("{") }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!objects.isEmpty && objects.count == lines.count, "\(daemon.log)")
        for object in objects {
            #expect(object["level"] is String && object["message"] is String && object["timestamp"] is String && object["label"] is String)
        }
        let loaded = try #require(objects.first { $0["message"] as? String == "agent loaded" }, "\(daemon.log)")
        #expect(loaded["agent"] as? String == "my-chat")
        #expect(loaded["generation"] as? String == "1")
        #expect(loaded["level"] as? String == "notice")
    }

    // MARK: Traces

    @Test func aTurnIsExportedAsASpanTreeJoiningTheCallersTrace() async throws {
        let collector = try await OTLPReceiver.start()
        defer { collector.stop() }
        let environment = [
            "AGENT_HOST_MODEL": "scripted:counting",
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
            // Export every 50 ms instead of every 5 s.
            "OTEL_BSP_SCHEDULE_DELAY": "50",
        ]
        try await withDaemon(plugins: [DaemonProcess.toolsDemoPlugin], environment: environment) { daemon, client in
            var chat = try await ChatSession(daemon: daemon, chatId: "traced", agent: "tools-demo")
            // The caller's trace: the turn its `POST …/in` starts belongs to it.
            let traceId = "4bf92f3577b34da6a3ce929d0e0e4736", callerSpan = "00f067aa0ba902b7"
            let message = #"{"kind":"message","message":{"id":"m-1","role":"user","parts":[{"type":"text","text":"/tool calculator {\"expression\":\"2+3\"}"}]}}"#
            let sent = try await client.send(
                .POST, "/realtime/v1/sessions/traced/in", token: chat.token, body: message,
                headers: ["traceparent": "00-\(traceId)-\(callerSpan)-01"]
            )
            #expect(sent.status == 200, "\(sent.body)")
            #expect(try await chat.nextTurn().text == "calculator returned 5")

            var spans: [OTLPReceiver.Span] = []
            try await waitUntil {
                spans = collector.spans.filter { $0.traceId == traceId }
                return spans.contains { $0.name == "agent.turn" } && spans.count { $0.name == "model.request" } == 2
            }
            let turn = try #require(spans.first { $0.name == "agent.turn" })
            #expect(turn.attributes["agent.id"] == "tools-demo")
            #expect(turn.attributes["agent.chat_id"] == "traced")
            #expect(turn.attributes["agent.generation"] == "1")
            #expect(turn.attributes["agent.outcome"] == "completed")
            #expect((Int(turn.attributes["gen_ai.usage.input_tokens"] ?? "") ?? 0) > 0)
            // turn → the HTTP request's span → the caller's span.
            let request = try #require(spans.first { $0.spanId == turn.parentSpanId })
            #expect(request.parentSpanId == callerSpan)
            #expect(request.attributes["http.request.method"] == "POST")

            let steps = spans.filter { $0.name == "agent.step" }
            #expect(steps.count == 2)
            #expect(steps.allSatisfy { $0.parentSpanId == turn.spanId })
            let models = spans.filter { $0.name == "model.request" }
            #expect(Set(models.map(\.parentSpanId)) == Set(steps.map(\.spanId)))
            #expect(models.allSatisfy { $0.attributes["gen_ai.system"] == "scripted" })
            let tool = try #require(spans.first { $0.name == "tool.call" })
            #expect(tool.attributes["gen_ai.tool.name"] == "calculator")
            #expect(steps.contains { $0.spanId == tool.parentSpanId })
        }
    }
}
