/// One event of a `text/event-stream`: a provider's response or a session's output stream.
public struct ServerSentEvent: Sendable, Hashable {
    /// The last `id:` the stream set, on this event or an earlier one (the WHATWG
    /// "last event ID buffer"); the daemon numbers every event with its seq.
    public var id: String?
    /// The `event:` field; Anthropic names every event, OpenAI and the daemon none.
    public var event: String?
    /// The `data:` lines, joined with `\n`.
    public var data: String

    /// - Parameters:
    ///   - id: The last event id the stream set, if any.
    ///   - event: The event's name, if it has one.
    ///   - data: The event's data lines joined with `\n`.
    public init(id: String? = nil, event: String? = nil, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }
}
