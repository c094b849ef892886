import AgentWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local stand-in for a model provider, the one test double the design
/// allows: it answers each POST with the next scripted reply, written byte for
/// byte as the real provider's wire format, and records what the daemon sent.
final class FakeProviderServer: Sendable {
    /// What one request looked like on the wire.
    struct Recorded: Sendable {
        let method: String
        let path: String
        /// Lower-cased names; a repeated header keeps its last value.
        let headers: [String: String]
        let body: JSONValue

        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    enum Reply: Sendable {
        /// 200 `text/event-stream`, written piece by piece (each piece flushed).
        case stream([String])
        /// 200 `text/event-stream`: writes the pieces, then drops the connection
        /// without ending the response, as a network failure would. Whether the
        /// pieces reach the client first is up to the network: use it with no
        /// pieces, or use `hold` and `dropHeldConnections()`.
        case dropAfter([String])
        /// 200 `text/event-stream`: writes the pieces, then keeps the response open
        /// (an SSE comment now and then) until the client goes away, which it
        /// records, or until the test calls `dropHeldConnections()`.
        case hold([String])
        /// Any status with any body, e.g. a 429 with `retry-after`.
        case status(Int, headers: [String: String] = [:], body: String, contentType: String = "application/json")
    }

    private struct State {
        var replies: [Reply] = []
        var requests: [Recorded] = []
        var clientDisconnects = 0
        var dropHeld = false
    }

    private struct Dropped: Error {}

    private let state = Mutex(State())
    private let port = Mutex(0)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    var baseURL: String { "http://127.0.0.1:\(port.withLock { $0 })" }
    var requests: [Recorded] { state.withLock { $0.requests } }
    /// How many `.hold` responses ended because the client closed the connection.
    var clientDisconnects: Int { state.withLock { $0.clientDisconnects } }

    /// Starts listening on a free loopback port with `replies` queued.
    static func start(_ replies: [Reply] = []) async throws -> FakeProviderServer {
        let server = FakeProviderServer()
        server.enqueue(replies)
        let router = Router()
        for path in ["/v1/messages", "/v1/chat/completions"] {
            router.post(RouterPath(path)) { request, _ in try await server.respond(to: request) }
        }
        let (port, task) = await router.serveOnLoopback(label: "fake-provider")
        server.task.withLock { $0 = task }
        server.port.withLock { $0 = port }
        return server
    }

    /// Drops every `hold` response, now and from now on, mid-response: a
    /// connection lost after the test saw the held pieces arrive.
    func dropHeldConnections() {
        state.withLock { $0.dropHeld = true }
    }

    func enqueue(_ replies: [Reply]) {
        state.withLock { $0.replies += replies }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    deinit { stop() }

    private func respond(to request: Request) async throws -> Response {
        var request = request
        let bytes = try await request.collectBody(upTo: 16 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let recorded = Recorded(
            method: request.method.rawValue, path: request.uri.path, headers: headers,
            body: (try? WireCoding.decode(JSONValue.self, from: String(buffer: bytes))) ?? .string(String(buffer: bytes))
        )
        let reply = state.withLock { state -> Reply in
            state.requests.append(recorded)
            guard !state.replies.isEmpty else {
                return .status(500, body: #"{"error":{"type":"test_error","message":"the fake provider has no reply scripted"}}"#)
            }
            return state.replies.removeFirst()
        }
        switch reply {
        case .stream(let pieces):
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                for piece in pieces { try await writer.write(ByteBuffer(string: piece)) }
                try await writer.finish(nil)
            })
        case .dropAfter(let pieces):
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                for piece in pieces { try await writer.write(ByteBuffer(string: piece)) }
                throw Dropped()  // Hummingbird closes the connection mid-response
            })
        case .hold(let pieces):
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                for piece in pieces { try await writer.write(ByteBuffer(string: piece)) }
                while !self.state.withLock({ $0.dropHeld }) {
                    do {
                        try await Task.sleep(for: .milliseconds(20))
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    } catch {
                        self.state.withLock { $0.clientDisconnects += 1 }
                        throw error
                    }
                }
                throw Dropped()
            })
        case .status(let code, let extra, let body, let contentType):
            var fields: HTTPFields = [.contentType: contentType]
            for (name, value) in extra {
                if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
            }
            return Response(status: .init(code: code), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
    }
}

/// Provider wire formats, written the way the providers write them.
enum Wire {
    /// One Anthropic event: `event:` name and the same `type` in the JSON.
    static func anthropic(_ type: String, _ json: String) -> String {
        "event: \(type)\ndata: \(json)\n\n"
    }

    /// A whole Anthropic text answer (reference/protocols.md §4), with a ping.
    static func anthropicText(_ deltas: [String], stopReason: String = "end_turn", inputTokens: Int = 12, outputTokens: Int = 5) -> [String] {
        var events = [
            anthropic("message_start", #"{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-test","stop_sequence":null,"usage":{"input_tokens":\#(inputTokens),"output_tokens":1},"content":[],"stop_reason":null}}"#),
            anthropic("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            anthropic("ping", #"{"type": "ping"}"#),
        ]
        for delta in deltas {
            events.append(anthropic("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(json(delta))}}"#))
        }
        events += [
            anthropic("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            anthropic("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"\#(stopReason)","stop_sequence":null},"usage":{"output_tokens":\#(outputTokens)}}"#),
            anthropic("message_stop", #"{"type":"message_stop"}"#),
        ]
        return events
    }

    /// One OpenAI chunk: a plain `data:` line.
    static func openAI(_ json: String) -> String {
        "data: \(json)\n\n"
    }

    static func openAIChunk(_ delta: String, finishReason: String? = nil) -> String {
        let reason = finishReason.map { "\"\($0)\"" } ?? "null"
        return openAI(#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1711357598,"model":"gpt-test","system_fingerprint":"fp_1","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(reason)}],"usage":null,"obfuscation":"x1"}"#)
    }

    static func openAIUsage(prompt: Int, completion: Int) -> String {
        openAI(#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1711357598,"model":"gpt-test","choices":[],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion)}}"#)
    }

    /// A whole OpenAI text answer as recorded in `openai-text.chunks.txt`.
    static func openAIText(_ deltas: [String], prompt: Int = 9, completion: Int = 4) -> [String] {
        [openAIChunk(#"{"role":"assistant","content":"","refusal":null}"#)]
            + deltas.map { openAIChunk(#"{"content":\#(json($0))}"#) }
            + [openAIChunk("{}", finishReason: "stop"), openAIUsage(prompt: prompt, completion: completion), "data: [DONE]\n\n"]
    }

    static func json(_ string: String) -> String {
        (try? WireCoding.encodeString(JSONValue.string(string))) ?? "\"\""
    }
}
