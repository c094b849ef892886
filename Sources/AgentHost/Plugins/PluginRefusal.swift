import Foundation

/// A plugin file the daemon would not load, and why. Listed in `GET /api/v1/agents`.
public struct PluginRefusal: Error, Sendable, Codable, Hashable, CustomStringConvertible {
    public var file: String
    public var reason: String
    public var sha256: String?
    public var at: Date

    public init(file: String, reason: String, sha256: String? = nil, at: Date = Date()) {
        self.file = file
        self.reason = reason
        self.sha256 = sha256
        self.at = at
    }

    public var description: String { "refused \(file): \(reason)" }
}
