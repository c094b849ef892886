/// Which read deadline a connection is under, as a value: the events a
/// connection sees go in, the deadline to run comes out (no timers, no I/O;
/// `RequestDeadlineHandler` carries it out).
///
/// - waiting for a request, none in flight: the keep-alive deadline;
/// - from a request's first byte to its complete head: the header deadline;
/// - from its head to the end of its body: the body deadline;
/// - a request read and not yet answered, or a response being written (an SSE
///   stream): none — the connection is busy writing, not reading.
struct RequestDeadlines: Sendable, Hashable {
    /// The deadline a connection is under.
    enum Deadline: Sendable, Hashable {
        case keepAlive
        case header
        case body
    }

    private enum Phase: Sendable, Hashable {
        case awaitingRequest
        case readingHead
        case readingBody
    }

    private var phase = Phase.awaitingRequest
    /// Requests whose head was read and whose response has not ended.
    private var requestsInFlight = 0

    /// The deadline to run now; nil: none.
    var current: Deadline? {
        switch phase {
        case .readingHead: .header
        case .readingBody: .body
        case .awaitingRequest: requestsInFlight > 0 ? nil : .keepAlive
        }
    }

    /// Bytes came in: a request begins unless one is being read already.
    mutating func bytesArrived() {
        if phase == .awaitingRequest { phase = .readingHead }
    }

    /// A request's head was parsed.
    mutating func headReceived() {
        phase = .readingBody
        requestsInFlight += 1
    }

    /// A request's body ended.
    mutating func endReceived() {
        phase = .awaitingRequest
    }

    /// A response ended (it may end before its request's body was read: a 413).
    mutating func responseEnded() {
        requestsInFlight = max(0, requestsInFlight - 1)
    }
}
