/// Who is calling: the operator's server (secret key), a browser holding a
/// public token scoped to some sessions, or the playground's page (admitted by
/// the playground pass or, where trusted, as a loopback browser).
///
/// The route groups' auth middleware put it in `HostRequestContext.principal`.
public enum Principal: Sendable, Equatable {
    case secret
    case token(TokenScopes)
    /// Admitted by `PlaygroundAccess` for `/playground/v1` only (the playground
    /// pass, or a loopback browser where loopback is trusted); it holds no
    /// credential, so every other check refuses it.
    case playground

    /// Refuses anyone without the secret key.
    public func requireSecret() throws(AgentHostError) {
        guard case .secret = self else {
            throw .forbidden("this route needs the secret key; public tokens cannot use it")
        }
    }

    /// Refuses anyone who may not `access` the session `chatId`; the secret key may do anything.
    /// - Parameters:
    ///   - access: read or write.
    ///   - chatId: the session the request touches.
    public func require(_ access: TokenScopes.Access, chatId: String) throws(AgentHostError) {
        switch self {
        case .secret:
            return
        case .token(let scopes) where scopes.allows(access, chatId: chatId):
            return
        case .token, .playground:
            throw .forbidden("the token has no \(access.rawValue) scope for session `\(chatId)`")
        }
    }
}
