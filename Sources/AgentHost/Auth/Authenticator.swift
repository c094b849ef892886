import Foundation
import HTTPTypes

/// Who is calling: the operator's server (secret key) or a browser holding a
/// public token scoped to some sessions.
public enum Principal: Sendable {
    case secret
    case token(TokenScopes)
}

/// Turns an `Authorization: Bearer …` header into a principal and enforces
/// what each route needs. Every route goes through one of the `require…` calls.
public struct Authenticator: Sendable {
    let secretKey: SecretKey
    let minter: TokenMinter

    public init(secretKey: SecretKey, minter: TokenMinter) {
        self.secretKey = secretKey
        self.minter = minter
    }

    public func principal(_ headers: HTTPFields) async throws(AgentHostError) -> Principal {
        guard let header = headers[.authorization] else {
            throw .unauthorized("missing `Authorization: Bearer <token>` header")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthorized("the Authorization header must be `Bearer <token>`")
        }
        let credential = String(parts[1]).trimmingCharacters(in: .whitespaces)
        if secretKey.matches(credential) { return .secret }
        guard let scopes = await minter.verify(credential) else {
            throw .unauthorized("the token is invalid or expired")
        }
        return .token(scopes)
    }

    public func requireSecret(_ headers: HTTPFields) async throws(AgentHostError) {
        guard case .secret = try await principal(headers) else {
            throw .forbidden("this route needs the secret key; public tokens cannot use it")
        }
    }

    public func require(_ access: TokenScopes.Access, chatId: String, _ headers: HTTPFields) async throws(AgentHostError) {
        switch try await principal(headers) {
        case .secret:
            return
        case .token(let scopes):
            guard scopes.allows(access, chatId: chatId) else {
                throw .forbidden("the token has no \(access.rawValue) scope for session `\(chatId)`")
            }
        }
    }
}
