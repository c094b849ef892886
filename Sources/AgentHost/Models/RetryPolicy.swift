/// How often and how patiently a model request that failed before its first
/// token is asked again. Bounded on both counts: a turn must end, and a client
/// must see an error rather than wait on a provider that asked us to come back
/// in an hour.
public struct RetryPolicy: Sendable, Hashable {
    /// Requests in all, the first included; 1 means never retry.
    public var maxAttempts: Int
    /// The wait before the first retry; doubles for every further one.
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A `retry-after` longer than this is not waited for: the turn fails and says so.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500),
                maxDelay: Duration = .seconds(8), maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.maxDelay = max(self.baseDelay, maxDelay)
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before the next request after `attempt` requests failed, or nil
    /// to give up. The provider's `retry-after` wins when it is given; otherwise
    /// exponential backoff with jitter, so many turns hit by one outage do not
    /// come back in lockstep.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        if let retryAfter {
            return retryAfter <= maxRetryAfter ? retryAfter : nil
        }
        var delay = baseDelay
        for _ in 1..<max(1, attempt) where delay < maxDelay { delay *= 2 }
        delay = min(delay, maxDelay)
        let jitter = Double.random(in: 0.5...1.0)
        return delay * jitter
    }
}
