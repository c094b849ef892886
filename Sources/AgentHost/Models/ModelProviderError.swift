/// Why a model request failed, written for the person reading the turn's
/// `error` chunk, and whether asking again could help.
public struct ModelProviderError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The provider answered with a non-2xx status.
        case http(status: Int)
        /// An `error` event inside a 200 stream (`overloaded_error`, …).
        case streamError(type: String)
        /// The provider could not be reached, or the connection failed.
        case transport
        /// The stream ended before the provider said it was complete.
        case truncated
        /// An event we could not understand (invalid JSON, impossible shape).
        case malformed
        /// The request holds something the provider cannot take (an attachment's
        /// media type, a URL it cannot fetch); nothing was sent.
        case unsupportedInput
    }

    /// `Anthropic` or `OpenAI`, as the user knows the provider.
    public let provider: String
    public let kind: Kind
    public let message: String
    /// What the provider asked us to wait (`retry-after`) before asking again.
    public var retryAfter: Duration?
    /// How many requests were made before giving up; set by the retry loop.
    public var attempts = 1

    public init(provider: String, kind: Kind, message: String, retryAfter: Duration? = nil) {
        self.provider = provider
        self.kind = kind
        self.message = message
        self.retryAfter = retryAfter
    }

    /// Worth retrying when nothing of the answer was streamed yet: rate limits,
    /// overload, server errors and lost connections. Client errors (bad request,
    /// bad key) and malformed streams would fail the same way again.
    public var isRetryable: Bool {
        switch kind {
        case .http(let status): status == 408 || status == 409 || status == 429 || status >= 500
        case .streamError(let type): Self.retryableStreamErrors.contains(type)
        case .transport, .truncated: true
        case .malformed, .unsupportedInput: false
        }
    }

    static let retryableStreamErrors: Set<String> = [
        "overloaded_error", "api_error", "rate_limit_error", "server_error", "timeout_error",
    ]

    public var description: String {
        var text: String
        switch kind {
        case .http(let status): text = "\(provider) API error (HTTP \(status)): \(message)"
        case .streamError(let type): text = "\(provider) stream error (\(type)): \(message)"
        case .transport: text = "\(provider) request failed: \(message)"
        case .truncated: text = "\(provider) stream ended early: \(message)"
        case .malformed: text = "\(provider) sent a malformed event: \(message)"
        case .unsupportedInput: text = "\(provider) cannot take \(message)"
        }
        if attempts > 1 { text += " (gave up after \(attempts) attempts)" }
        return text
    }
}
