/// Every error a client can cause or see. Each case maps to one HTTP status and
/// one stable `code` in `HTTP/ErrorResponse.swift`, the only place that does so.
public enum AgentHostError: Error, Sendable, Equatable, CustomStringConvertible {
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
    /// The database takes no writes (disk full, I/O errors, its file deleted or
    /// replaced): nothing was stored, so nothing is acknowledged (503).
    case storageUnavailable(String)

    public var description: String {
        switch self {
        case .badRequest(let message), .invalidJSON(let message), .unauthorized(let message),
             .forbidden(let message), .notFound(let message), .conflict(let message),
             .internalError(let message), .unsupportedMediaType(let message), .storageUnavailable(let message):
            message
        case .payloadTooLarge(let limit): "request body is larger than \(limit) bytes"
        case .unknownAgent(let agent): "no agent `\(agent)` is loaded"
        case .sessionClosed(let chatId): "session `\(chatId)` is closed"
        }
    }
}
