/// Turns one provider's server-sent events into `ModelEvent`s. Pure and
/// synchronous, so each provider's wire format is unit-tested without a network.
protocol ProviderStreamDecoder: Sendable {
    /// The provider as the user knows it, for error messages.
    var provider: String { get }
    /// Decodes one event. Throws `ModelProviderError` for `error` events and
    /// events it cannot understand.
    mutating func decode(_ event: SSEEvent) throws -> [ModelEvent]
    /// The response body ended: returns what completes the step, or throws
    /// `.truncated` when the provider never said the answer was complete.
    mutating func finish() throws -> [ModelEvent]
}
