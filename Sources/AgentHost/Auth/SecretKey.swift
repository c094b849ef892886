import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's secret key: server-side only, it authorises the `/api/v1` routes
/// and signs public tokens. From `AGENT_HOST_SECRET_KEY`, else generated once
/// and kept (mode 0600) in the data directory.
public struct SecretKey: Sendable {
    public let value: String
    /// Where it was read from, for the start-up banner.
    public let source: String

    public static let fileName = "secret-key"

    /// The shortest key the daemon accepts. A short key is guessable from one
    /// public token offline (HS256 signs with it): `k9x` fell in 0.04 s.
    public static let minimumLength = 32

    public static func load(environment: [String: String], dataDirectory: String) throws -> SecretKey {
        if let value = environment["AGENT_HOST_SECRET_KEY"], !value.isEmpty {
            return try checked(SecretKey(value: value, source: "AGENT_HOST_SECRET_KEY"))
        }
        let path = "\(dataDirectory)/\(fileName)"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let value = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { return try checked(SecretKey(value: value, source: path)) }
        }
        let random = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let value = "sk_" + random.map { String(format: "%02x", $0) }.joined()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AgentHostError.internalError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let line = value + "\n"
        let written = line.withCString { write(fd, $0, strlen($0)) }
        guard written == line.utf8.count, fchmod(fd, 0o600) == 0 else {
            throw AgentHostError.internalError("cannot write \(path)")
        }
        return SecretKey(value: value, source: path)
    }

    /// Refuses a key too short to resist guessing, naming where it came from.
    private static func checked(_ key: SecretKey) throws -> SecretKey {
        let length = key.value.utf8.count
        guard length >= minimumLength else {
            throw AgentHostError.internalError(
                "the secret key from \(key.source) is \(length) characters; it needs at least \(minimumLength) random ones "
                    + "(e.g. `openssl rand -hex 32`), or remove it and the daemon generates one"
            )
        }
        return key
    }

    /// Constant-time comparison, so response timing says nothing about the key.
    public func matches(_ candidate: String) -> Bool {
        let a = Array(value.utf8)
        let b = Array(candidate.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
