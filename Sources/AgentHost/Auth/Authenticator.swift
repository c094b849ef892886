import Foundation
import HTTPTypes

/// Turns an `Authorization: Bearer …` header into a principal and enforces
/// what each route needs. The route groups' auth middleware (`AuthMiddleware`,
/// `PlaygroundAccess`) call it.
public struct Authenticator: Sendable {
    let secretKey: SecretKey
    let minter: TokenMinter

    public init(secretKey: SecretKey, minter: TokenMinter) {
        self.secretKey = secretKey
        self.minter = minter
    }

    public func principal(_ headers: HTTPFields) async throws(AgentHostError) -> Principal {
        let credential = try Self.bearer(headers)
        if secretKey.matches(credential) { return .secret }
        guard let scopes = await minter.verify(credential) else {
            throw .unauthorized("the token is invalid or expired")
        }
        return .token(scopes)
    }

    /// The public token the request carries, verified; nil for the secret key,
    /// no credential, or a token that is not valid.
    /// - Parameters:
    ///   - headers: the request's headers, read for `Authorization`.
    public func publicToken(_ headers: HTTPFields) async -> VerifiedToken? {
        guard let credential = Self.bearerCredential(headers), !secretKey.matches(credential) else { return nil }
        return await minter.claims(of: credential)
    }

    /// The credential of a well-formed `Authorization: Bearer …` header, or nil.
    /// - Parameters:
    ///   - headers: the request's headers.
    static func bearerCredential(_ headers: HTTPFields) -> String? {
        try? bearer(headers)
    }

    /// The credential of an `Authorization: Bearer …` header.
    private static func bearer(_ headers: HTTPFields) throws(AgentHostError) -> String {
        guard let header = headers[.authorization] else {
            throw .unauthorized("missing `Authorization: Bearer <token>` header")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthorized("the Authorization header must be `Bearer <token>`")
        }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    /// The caller, who must hold the secret key.
    /// - Parameters:
    ///   - headers: the request's headers, read for `Authorization`.
    @discardableResult
    public func requireSecret(_ headers: HTTPFields) async throws(AgentHostError) -> Principal {
        let caller = try await principal(headers)
        try caller.requireSecret()
        return caller
    }

    /// The caller, who must hold the secret key or a token with `access` to `chatId`.
    /// - Parameters:
    ///   - access: read or write.
    ///   - chatId: the session the request touches.
    ///   - headers: the request's headers, read for `Authorization`.
    @discardableResult
    public func require(_ access: TokenScopes.Access, chatId: String, _ headers: HTTPFields) async throws(AgentHostError) -> Principal {
        let caller = try await principal(headers)
        try caller.require(access, chatId: chatId)
        return caller
    }
}
