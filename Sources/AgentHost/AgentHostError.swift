/// Every error a client can cause or see. Each case maps to one HTTP status and
/// one stable `code` in `HTTP/ErrorResponse.swift`, the only place that does so.
public enum AgentHostError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    case badRequest(String)
    case invalidJSON(String)
    case payloadTooLarge(limit: Int)
    /// An upload whose media type is missing or not allowed (415).
    case unsupportedMediaType(String)
    case unauthorized(String)
    case forbidden(String)
    case notFound(String)
    case conflict(String)
    case unknownAgent(String)
    case sessionClosed(String)
    case internalError(String)
    /// A client input larger than `InputLimits.maxInputBytes` (413).
    case inputTooLarge(limit: Int)
    /// Request headers larger than the HTTP decoder takes (431), e.g. a huge token.
    case headersTooLarge(limit: Int)
    /// The session's queue of inputs waiting for a turn is full (429).
    case queueFull(limit: Int)
    /// An `Idempotency-Key` sent again with another body (422).
    case idempotencyKeyReused(String)
    /// The daemon holds `ConnectionLimits.maxConnections` connections (503).
    case tooManyConnections(limit: Int)
    /// A path the daemon serves, asked with a method it does not answer there (405, `Allow`).
    case methodNotAllowed(allowed: [String])
    /// The database takes no writes (disk full, I/O errors, its file deleted or
    /// replaced): nothing was stored, so nothing is acknowledged (503).
    case storageUnavailable(String)
    /// On a cluster: the session's owner (another daemon) did not take the write in time (503).
    case ownerUnavailable(String)

    public var description: String {
        switch self {
        case .badRequest(let message), .invalidJSON(let message), .unauthorized(let message),
             .forbidden(let message), .notFound(let message), .conflict(let message),
             .internalError(let message), .unsupportedMediaType(let message), .storageUnavailable(let message),
             .ownerUnavailable(let message):
            message
        case .payloadTooLarge(let limit): "request body is larger than \(limit) bytes"
        case .unknownAgent(let agent): "no agent `\(agent)` is loaded"
        case .sessionClosed(let chatId): "session `\(chatId)` is closed"
        case .inputTooLarge(let limit): "the input is larger than \(limit) bytes (`serve --max-input-size`); send a smaller message"
        case .headersTooLarge(let limit): "the request headers are larger than \(limit) bytes (a token that long is not one this daemon minted)"
        case .queueFull(let limit):
            "\(limit) inputs already wait behind the running turn (`serve --max-queued-inputs`); "
                + "wait for the answers, or send {\"kind\":\"clear-queue\"} to drop the waiting ones"
        case .idempotencyKeyReused(let key):
            "`Idempotency-Key` \(key) was used before with another body; use a fresh key for a new input"
        case .tooManyConnections(let limit): "the daemon holds its limit of \(limit) connections (`serve --max-connections`); try again shortly"
        case .methodNotAllowed(let allowed): "this path answers \(allowed.joined(separator: ", ")) only"
        }
    }
}
