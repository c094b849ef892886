import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// The ToolsDemo plugin through the daemon with the offline scripted model:
    /// `/tool NAME {json}` makes step 1 call the tool and step 2 report its result.
    @Suite struct ToolsDemoTests {
        @Test func theCalculatorStreamsAToolCallAndItsResult() async throws {
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "calc", agent: "tools-demo")

            let events = try await chat.turn(#"/tool calculator {"expression":"2+3"}"#)
            #expect(events.types == [
                "data-turn-start", "start",
                "start-step", "tool-input-start", "tool-input-delta", "tool-input-available", "tool-output-available", "finish-step",
                "start-step", "text-start", "text-delta", "text-delta", "text-delta", "text-end", "finish-step",
                "finish", "data-turn-complete",
            ])
            let callId = try #require(events.first("tool-input-start")?["toolCallId"]?.stringValue)
            #expect(events.first("tool-input-start") == ["type": "tool-input-start", "toolCallId": .string(callId), "toolName": "calculator"])
            #expect(events.first("tool-input-available")?["input"] == ["expression": "2+3"])
            #expect(events.first("tool-output-available") == ["type": "tool-output-available", "toolCallId": .string(callId), "output": 5])
            #expect(events.text == "calculator returned 5")
            #expect(events.finishReason == "stop")

            let history = try await chat.history()
            let toolPart = history.last?["parts"]?.arrayValue?.first { $0["type"] == "tool-calculator" }
            #expect(toolPart?["state"] == "output-available")
            #expect(toolPart?["output"] == 5)
        }

        @Test func theCalculatorParsesPrecedenceParenthesesDecimalsAndSigns() async throws {
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "calc-cases", agent: "tools-demo")
            let cases: [(String, JSONValue)] = [
                ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("(1.5 + 2.5) * 3 - 4 / 2", 10), ("-(2 + 3) * -2", 10),
                ("10 / 4", 2.5), ("8 - 3 - 2", 3), ("2 * .5", 1), ("  42  ", 42),
            ]
            for (expression, expected) in cases {
                let events = try await chat.turn(#"/tool calculator {"expression":"\#(expression)"}"#)
                #expect(events.first("tool-output-available")?["output"] == expected, "\(expression)")
            }
        }

        @Test func calculatorErrorsAreToolErrorsTheModelSees() async throws {
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "calc-errors", agent: "tools-demo")
            let cases = [
                (#"{"expression":"1/0"}"#, "division by zero"),
                (#"{"expression":"2*(3+4"}"#, "missing `)` at position 7"),
                (#"{"expression":"2 + + "}"#, "the expression ends where a number was expected"),
                (#"{"expression":"2 ^ 3"}"#, "unexpected `^` at position 3"),
                (#"{"expression":"abs(1)"}"#, "expected a number at position 1, found `a`"),
                (#"{"expr":"1+1"}"#, "invalid input for tool `calculator`: missing `expression`"),
            ]
            for (input, message) in cases {
                let events = try await chat.turn("/tool calculator \(input)")
                #expect(events.first("tool-output-error")?["errorText"]?.stringValue == message, "\(input)")
                #expect(events.text == "Tool calculator failed: \(message)", "\(input)")
                #expect(events.finishReason == "stop")
            }
            // A deeply nested expression is refused, not a stack overflow in the daemon.
            let deep = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
            let events = try await chat.turn(#"/tool calculator {"expression":"\#(deep)"}"#)
            #expect(events.first("tool-output-error")?["errorText"] == "the expression is nested too deeply")
        }

        @Test func getWeatherReadsItsTableAndListsKnownCitiesOtherwise() async throws {
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "weather", agent: "tools-demo")
            let berlin = try await chat.turn(#"/tool getWeather {"city":"  berlin "}"#)
            #expect(berlin.first("tool-output-available")?["output"] == [
                "city": "Berlin", "temperatureC": 18, "condition": "cloudy", "humidityPercent": 65,
            ])
            let atlantis = try await chat.turn(#"/tool getWeather {"city":"Atlantis"}"#)
            #expect(atlantis.first("tool-output-error")?["errorText"]
                == "no weather for `Atlantis`; known cities: Berlin, London, New York, Paris, San Francisco, Tokyo")

            let agents = try await chat.client.send(.GET, "/api/v1/agents", token: daemon.secretKey)
            #expect(agents.json?["agents"]?.arrayValue?.map { $0["id"] } == ["long-chat", "tools-demo"])
        }
    }
}
