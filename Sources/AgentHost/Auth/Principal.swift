/// Who is calling: the operator's server (secret key), a browser holding a
/// public token scoped to some sessions, or a browser on the daemon's own
/// machine that the playground's loopback rule let in without a credential.
///
/// The route groups' auth middleware put it in `HostRequestContext.principal`.
public enum Principal: Sendable, Equatable {
    case secret
    case token(TokenScopes)
    /// Admitted by `PlaygroundAccess` for `/playground/v1` only; it holds no
    /// credential, so every other check refuses it.
    case loopback

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
        case .token, .loopback:
            throw .forbidden("the token has no \(access.rawValue) scope for session `\(chatId)`")
        }
    }
}
