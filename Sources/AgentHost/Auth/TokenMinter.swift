import Crypto
import Foundation
import JWTKit

/// The claims of a public access token (HS256 JWT).
struct PublicTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var scopes: TokenScopes

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Mints and verifies short-lived, session-scoped public tokens. Signed with a
/// key derived from the secret key, so the secret itself never signs anything
/// a browser holds.
public struct TokenMinter: Sendable {
    private let keys: JWTKeyCollection
    static let subject = "agent-host:public"

    public init(secretKey: SecretKey) async {
        let material = Data("agent-host public tokens v1|\(secretKey.value)".utf8)
        let derived = Data(SHA256.hash(data: material))
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: derived)), digestAlgorithm: .sha256)
    }

    public func mint(scopes: TokenScopes, ttl: Duration, now: Date = Date()) async throws -> String {
        let seconds = Double(ttl.components.seconds)
        let claims = PublicTokenClaims(
            sub: SubjectClaim(value: Self.subject),
            exp: ExpirationClaim(value: now.addingTimeInterval(seconds)),
            iat: IssuedAtClaim(value: now),
            scopes: scopes
        )
        return try await keys.sign(claims)
    }

    /// The token's scopes, or nil when it is not a valid, unexpired token of ours.
    public func verify(_ token: String) async -> TokenScopes? {
        await claims(of: token)?.scopes
    }

    /// What a valid, unexpired token of ours says: its scopes and its lifetime;
    /// nil for any other token.
    /// - Parameters:
    ///   - token: The bearer token as the client sent it.
    public func claims(of token: String) async -> VerifiedToken? {
        guard let claims = try? await keys.verify(token, as: PublicTokenClaims.self),
              claims.sub.value == Self.subject
        else { return nil }
        return VerifiedToken(scopes: claims.scopes, issuedAt: claims.iat.value, expiresAt: claims.exp.value)
    }
}

/// A public token that passed verification: what it may do, and from when to when.
public struct VerifiedToken: Sendable, Hashable {
    public var scopes: TokenScopes
    public var issuedAt: Date
    public var expiresAt: Date
}

/// Parses token lifetimes as the seed writes them: `"1h"`, `"15m"`, `"30s"`, `"2d"`.
public enum TokenLifetime {
    public static let maximum: Duration = .seconds(30 * 24 * 3600)

    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = trimmed.last else { return nil }
        let multiplier: Int64
        var digits = Substring(trimmed)
        switch unit {
        case "s": multiplier = 1; digits.removeLast()
        case "m": multiplier = 60; digits.removeLast()
        case "h": multiplier = 3600; digits.removeLast()
        case "d": multiplier = 86400; digits.removeLast()
        default: multiplier = 1
        }
        guard let amount = Int64(digits), amount > 0 else { return nil }
        let (seconds, overflow) = amount.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        let duration = Duration.seconds(seconds)
        return duration <= maximum ? duration : nil
    }
}
