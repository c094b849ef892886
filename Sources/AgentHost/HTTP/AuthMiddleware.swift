import Hummingbird

/// A route group's auth: admits the callers its requirement names and puts the
/// caller in `HostRequestContext.principal`, so handlers never check
/// credentials themselves.
///
/// No `Authorization` header, a malformed one, or a key or token that is not
/// valid is 401 `unauthorized`; a valid credential that does not reach far
/// enough is 403 `forbidden`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = HostRequestContext

    /// Who a group admits.
    enum Requirement: Sendable {
        /// The secret key only: the operator routes (`/api/v1`).
        case secretKey
        /// The secret key, or a public token with this access to the session
        /// named by the route's `:chatId` path parameter (`/realtime/v1/sessions/:chatId/…`,
        /// `/api/chat/:agent/:chatId/stream`). The middleware runs after routing,
        /// so the path parameters are already in the context. Read access to a
        /// session also reads the sub-agent sessions below it (`SessionAncestry`).
        case session(TokenScopes.Access)
        /// Any valid credential; the handler checks the scope. For `POST /api/chat/:agent`,
        /// whose chat id is in the body: a bad credential is refused here, before the
        /// body is read.
        case anyCredential
    }

    let requirement: Requirement
    let auth: Authenticator
    let ancestry: SessionAncestry?

    /// - Parameters:
    ///   - requirement: who the group admits.
    ///   - auth: checks the `Authorization` header.
    ///   - ancestry: finds a sub-agent session's parents, whose read tokens read it
    ///     too; nil admits a token for the named session only.
    init(_ requirement: Requirement, auth: Authenticator, ancestry: SessionAncestry? = nil) {
        self.requirement = requirement
        self.auth = auth
        self.ancestry = ancestry
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        switch requirement {
        case .secretKey:
            context.principal = try await auth.requireSecret(request.headers)
        case .session(let access):
            let chatId = try context.parameters.chatId()
            let caller = try await auth.principal(request.headers)
            if try await !readsAsAncestor(caller, access: access, chatId: chatId) {
                try caller.require(access, chatId: chatId)
            }
            context.principal = caller
        case .anyCredential:
            context.principal = try await auth.principal(request.headers)
        }
        return try await next(request, context)
    }

    /// Whether a token without its own scope for `chatId` reads it through a
    /// session above it. Only asked when the token's own scopes fall short, so a
    /// request for the token's own chat costs no lookup.
    private func readsAsAncestor(_ caller: Principal, access: TokenScopes.Access, chatId: String) async throws -> Bool {
        guard access == .read, let ancestry, case .token(let scopes) = caller, !scopes.allows(.read, chatId: chatId) else {
            return false
        }
        return try await ancestry.ancestors(of: chatId).contains { scopes.allows(.read, chatId: $0) }
    }
}
