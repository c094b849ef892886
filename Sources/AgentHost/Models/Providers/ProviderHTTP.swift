import AgentWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOHTTP1

/// Where and how to POST one provider request.
struct ProviderEndpoint: Sendable {
    let provider: String
    let url: String
    let headers: [(name: String, value: String)]
}

/// The HTTP half every provider shares: POST a JSON body, turn a non-2xx answer
/// into a `ModelProviderError` that says what the provider said, and feed a 2xx
/// event stream through the shared `ServerSentEventParser` into the provider's decoder.
enum ProviderHTTP {
    /// One client for all providers, for the life of the process (like
    /// `HTTPClient.shared`, never shut down). Its read timeout is an idle
    /// timeout: a stream that goes silent that long is treated as dropped.
    /// Redirects are not followed: a provider never redirects a POST, and
    /// following one would hand the API key to whatever host it names.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: connectTimeout, read: readTimeout)
        )
    )
    static let readTimeout: TimeAmount = .seconds(300)
    /// Also how long an unreachable host takes to fail: the client's pool keeps
    /// retrying a refused connection until then.
    static let connectTimeout: TimeAmount = .seconds(5)

    /// How long the provider may take to send the response head.
    static let headTimeout: TimeAmount = .seconds(120)
    /// Error bodies are read up to this size; the message is cut much shorter.
    static let maximumErrorBody = 64 << 10

    /// Encoding a `JSONValue` cannot fail: it holds only JSON and finite numbers.
    static func jsonBody(_ body: JSONValue) -> Data {
        (try? WireCoding.encode(body)) ?? Data("{}".utf8)
    }

    static func stream<Decoder: ProviderStreamDecoder>(
        _ endpoint: ProviderEndpoint, body: Data, decoder: Decoder
    ) -> AsyncThrowingStream<ModelEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var decoder = decoder
                    let response = try await send(endpoint, body: body)
                    var parser = ServerSentEventParser()
                    do {
                        for try await buffer in response.body {
                            for event in try parser.feed(buffer.readableBytesView) {
                                for modelEvent in try decoder.decode(event) { continuation.yield(modelEvent) }
                            }
                        }
                    } catch let error as ModelProviderError {
                        throw error
                    } catch let error as ServerSentEventParser.LineTooLong {
                        throw ModelProviderError(provider: endpoint.provider, kind: .malformed, message: error.description)
                    } catch {
                        try Task.checkCancellation()
                        throw ModelProviderError(
                            provider: endpoint.provider, kind: .truncated,
                            message: "the connection was lost mid-stream (\(describe(error)))"
                        )
                    }
                    try Task.checkCancellation()
                    for modelEvent in try decoder.finish() { continuation.yield(modelEvent) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: Task.isCancelled ? CancellationError() : error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Sends the request; returns the response of a 2xx event stream.
    private static func send(_ endpoint: ProviderEndpoint, body: Data) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        for header in endpoint.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: headTimeout)
        } catch {
            try Task.checkCancellation()
            throw ModelProviderError(
                provider: endpoint.provider, kind: .transport,
                message: "cannot reach \(endpoint.url) (\(describe(error)))"
            )
        }
        guard (200..<300).contains(response.status.code) else {
            let text = await readErrorBody(response)
            throw ModelProviderError(
                provider: endpoint.provider, kind: .http(status: Int(response.status.code)),
                message: ProviderErrorBody.message(from: text, status: response.status),
                retryAfter: RetryAfter.parse(response.headers)
            )
        }
        if let type = response.headers.first(name: "content-type"), !type.lowercased().hasPrefix("text/event-stream") {
            let text = await readErrorBody(response)
            throw ModelProviderError(
                provider: endpoint.provider, kind: .malformed,
                message: "expected an event stream but got `\(type)`: \(ProviderErrorBody.snippet(text))"
            )
        }
        return response
    }

    private static func readErrorBody(_ response: HTTPClientResponse) async -> String {
        var collected = ByteBuffer()
        do {
            for try await var buffer in response.body {
                let room = maximumErrorBody - collected.readableBytes
                guard room > 0 else { break }
                if let slice = buffer.readSlice(length: min(room, buffer.readableBytes)) {
                    collected.writeImmutableBuffer(slice)
                }
            }
        } catch {
            // Whatever arrived before the failure is still the best explanation we have.
        }
        return String(buffer: collected)
    }

    /// NIO and AsyncHTTPClient errors print as type names; say what happened.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .readTimeout:
            "no data for \(readTimeout.nanoseconds / 1_000_000_000)s"
        case let error as HTTPClientError where error == .deadlineExceeded:
            "no response within \(headTimeout.nanoseconds / 1_000_000_000)s"
        case let error as HTTPClientError where error == .remoteConnectionClosed:
            "the server closed the connection"
        case let error as HTTPClientError where error == .connectTimeout:
            "no connection within \(connectTimeout.nanoseconds / 1_000_000_000)s"
        case let error as IOError:
            String(cString: strerror(error.errnoCode)).lowercased()
        case let error as NIOConnectionError:
            error.connectionErrors.first.map { describe($0.error) } ?? String(describing: error)
        default:
            String(describing: error)
        }
    }
}

/// The human part of a provider's error body. Both providers answer
/// `{"error": {"type"?, "message", "code"?}}` (Anthropic adds a top-level
/// `"type": "error"`); anything else is quoted, shortened.
enum ProviderErrorBody {
    static func message(from body: String, status: HTTPResponseStatus) -> String {
        if let json = try? WireCoding.decode(JSONValue.self, from: body), let error = json["error"] {
            if let message = error["message"]?.stringValue ?? error.stringValue {
                let type = error["type"]?.stringValue ?? error["code"]?.stringValue
                return type.map { "\($0): \(message)" } ?? message
            }
        }
        let snippet = snippet(body)
        return snippet.isEmpty ? status.reasonPhrase : "\(status.reasonPhrase): \(snippet)"
    }

    static func snippet(_ text: String, limit: Int = 300) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count > limit ? String(trimmed.prefix(limit)) + "…" : trimmed
    }
}

/// `retry-after` (seconds or an HTTP date) and OpenAI's `retry-after-ms`.
enum RetryAfter {
    static func parse(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let value = headers.first(name: "retry-after-ms").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }),
           value >= 0, value < 1e12
        {
            return .milliseconds(Int64(value.rounded(.up)))
        }
        guard let raw = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(raw), seconds >= 0, seconds.isFinite, seconds < 1e9 {
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: raw) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}
