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
        /// so the path parameters are already in the context.
        case session(TokenScopes.Access)
        /// Any valid credential; the handler checks the scope. For `POST /api/chat/:agent`,
        /// whose chat id is in the body: a bad credential is refused here, before the
        /// body is read.
        case anyCredential
    }

    let requirement: Requirement
    let auth: Authenticator

    /// - Parameters:
    ///   - requirement: who the group admits.
    ///   - auth: checks the `Authorization` header.
    init(_ requirement: Requirement, auth: Authenticator) {
        self.requirement = requirement
        self.auth = auth
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        switch requirement {
        case .secretKey:
            context.principal = try await auth.requireSecret(request.headers)
        case .session(let access):
            context.principal = try await auth.require(access, chatId: try context.parameters.chatId(), request.headers)
        case .anyCredential:
            context.principal = try await auth.principal(request.headers)
        }
        return try await next(request, context)
    }
}
