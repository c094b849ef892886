import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Hostile connections cost the daemon bounded time and descriptors (README,
/// "Limits: connections"): slow heads and bodies are closed at their deadlines
/// while `/healthz` keeps answering and a long SSE stream is never cut;
/// connections past the limit get a 503 in the error shape; oversized bodies
/// and headers get 413 and 431 in the error shape.
@Suite struct ConnectionLimitTests {
    private static let shortDeadlines = ["--header-timeout", "1", "--body-timeout", "1", "--keep-alive-timeout", "1"]

    @Test func slowlorisSocketsAreClosedWhileHealthzAnswers() async throws {
        try await withDaemon(arguments: Self.shortDeadlines) { daemon, client in
            let port = try #require(daemon.port)
            let slow = try (0..<20).map { _ in try RawConnection(port: port) }
            for connection in slow { connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") }
            // A header byte every 100 ms from each socket, until the daemon closes it:
            // each stays under its 1 s header deadline only by never finishing its head.
            var lastByte = ContinuousClock.now
            var probed = false
            try await waitUntil {
                if !probed {
                    let health = try await RawConnection.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    #expect(health.status == 200, "/healthz did not answer beside slowloris sockets: \(health.text)")
                    probed = true
                }
                if lastByte.duration(to: .now) >= .milliseconds(100) {
                    lastByte = .now
                    for connection in slow where !connection.isClosed { connection.send("a") }
                }
                for connection in slow { connection.poll() }
                return slow.allSatisfy(\.isClosed)
            }
            // Closed without an answer: no request ever reached the router.
            #expect(slow.allSatisfy { $0.status == nil })
            let health = try await client.send(.GET, "/healthz", token: nil)
            #expect(health.status == 200)
        }
    }

    @Test func aBodyShorterThanItsLengthOrAnUnterminatedChunkedBodyIsClosed() async throws {
        try await withDaemon(arguments: Self.shortDeadlines) { daemon, client in
            let token = try await client.createSession("bodies", secret: daemon.secretKey).token
            let port = try #require(daemon.port)
            let head = "POST /realtime/v1/sessions/bodies/in HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: application/json\r\n"
            let short = try RawConnection(port: port)
            short.send(head + "Content-Length: 1000\r\n\r\n{\"kind\":")
            let chunked = try RawConnection(port: port)
            chunked.send(head + "Transfer-Encoding: chunked\r\n\r\n8\r\n{\"kind\":\r\n")
            try await waitUntil {
                short.poll()
                chunked.poll()
                return short.isClosed && chunked.isClosed
            }
            // Cut at the body deadline, not answered: nothing was stored.
            #expect(short.status == nil && chunked.status == nil, "\(short.text) \(chunked.text)")
            let messages = try await client.send(.GET, "/realtime/v1/sessions/bodies/messages", token: token)
            #expect(messages.json?["lastSeq"]?.doubleValue == 0)
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedButAStreamIsNot() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "100"], arguments: Self.shortDeadlines) { daemon, client in
            let token = try await client.createSession("streams", secret: daemon.secretKey).token
            let port = try #require(daemon.port)
            let idle = try await RawConnection.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(idle.status == 200)
            // The answer streams for about 4 s, four times every deadline: it is writing, not reading.
            try await client.sendMessage("/slow 40", chatId: "streams", token: token)
            let events = try await client.readEvents(chatId: "streams", token: token) { $0.last?.type == "data-turn-complete" }
            #expect(events.text == (1...40).map(String.init).joined(separator: " "))
            try await waitUntil {
                idle.poll()
                return idle.isClosed
            }
        }
    }

    @Test func connectionsPastTheLimitGet503UntilOthersClose() async throws {
        try await withDaemon(arguments: ["--max-connections", "8"]) { daemon, client in
            let port = try #require(daemon.port)
            var held = try (0..<8).map { _ in try RawConnection(port: port) }
            var refused: RawConnection?
            try await waitUntil {
                let probe = try await RawConnection.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                if probe.status == 503 { refused = probe }
                return refused != nil
            }
            let reply = try #require(refused)
            let error = try WireCoding.decode(JSONValue.self, from: reply.body)
            #expect(error["error"]?["code"]?.stringValue == "too_many_connections")
            #expect(reply.text.lowercased().contains("connection: close"))
            try await waitUntil {
                reply.poll()
                return reply.isClosed
            }
            // The held connections close (their sockets with them): new ones are served again.
            #expect(held.count == 8)
            held.removeAll()
            try await waitUntil {
                let probe = try await RawConnection.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                return probe.status == 200
            }
            #expect(try await client.send(.GET, "/healthz", token: nil).status == 200)
        }
    }

    @Test func oversizedBodiesAndHeadersGetTheErrorShape() async throws {
        try await withDaemon { daemon, client in
            let token = try await client.createSession("big", secret: daemon.secretKey).token
            let port = try #require(daemon.port)
            // Refused from Content-Length alone: the body is never sent, the answer comes anyway.
            let big = try await RawConnection.exchange(port: port,
                "POST /realtime/v1/sessions/big/in HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n")
            #expect(big.status == 413)
            #expect(try WireCoding.decode(JSONValue.self, from: big.body)["error"]?["code"]?.stringValue == "payload_too_large")
            try await waitUntil {
                big.poll()
                return big.isClosed
            }
            let huge = try await RawConnection.exchange(port: port,
                "GET /realtime/v1/sessions/big/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer \(String(repeating: "x", count: 200_000))\r\n\r\n")
            #expect(huge.status == 431, "\(huge.text.prefix(200))")
            #expect(try WireCoding.decode(JSONValue.self, from: huge.body)["error"]?["code"]?.stringValue == "headers_too_large")
        }
    }
}
