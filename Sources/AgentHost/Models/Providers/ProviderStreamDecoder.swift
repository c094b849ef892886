import AgentWire

/// Turns one provider's server-sent events into `ModelEvent`s. Pure and
/// synchronous, so each provider's wire format is unit-tested without a network.
protocol ProviderStreamDecoder: Sendable {
    /// The provider as the user knows it, for error messages.
    var provider: String { get }
    /// Decodes one event. Throws `ModelProviderError` for `error` events and
    /// events it cannot understand.
    mutating func decode(_ event: ServerSentEvent) throws -> [ModelEvent]
    /// The response body ended: returns what completes the step, or throws
    /// `.truncated` when the provider never said the answer was complete.
    mutating func finish() throws -> [ModelEvent]
}

extension JSONValue {
    /// A non-negative whole count (tokens, indexes) that fits an `Int`, else nil.
    /// Provider input must never trap the daemon, so decoders never call a bare
    /// `Int(Double)`, which crashes on 1e300.
    var count: Int? {
        guard let value = doubleValue, value.isFinite, value >= 0, value < 1e15 else { return nil }
        return Int(value.rounded(.down))
    }
}
