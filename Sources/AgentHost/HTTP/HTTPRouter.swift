import Hummingbird

/// The daemon's routes, assembled from its services: what `Daemon.run()` serves,
/// and what tests build in-process (`app.test(.router)`), with no daemon around it.
///
/// Each group carries its auth as middleware, so a handler runs only for a
/// caller the group admitted (`HostRequestContext.principal`):
///
/// | group | auth | CORS |
/// |---|---|---|
/// | `/healthz`, `/metrics`, `/openapi.json`, `/`, `/playground/*` files | none | no |
/// | `/api/v1` | `AuthMiddleware(.secretKey)` | no |
/// | `/playground/v1` | `PlaygroundAccess` (secret key, the playground pass, or a loopback browser under `dev`) | no |
/// | `/realtime/v1/sessions/:chatId/…` | `AuthMiddleware(.session(…))`: write for `in` and `POST files`, read for the rest (a parent chat's read token reads its sub-agent sessions) | yes |
/// | `POST /api/chat/:agent` | `AuthMiddleware(.anyCredential)`, then write scope for the body's `id` | yes |
/// | `GET /api/chat/:agent/:chatId/stream` | `AuthMiddleware(.session(.read))` | yes |
/// | `/sdk/*` | none | yes |
enum HTTPRouter {
    /// - Parameters:
    ///   - sessions: the session directory every session route works on.
    ///   - registry: the plugin registry (`/api/v1/agents`, the playground's agent list).
    ///   - storage: where the SSE routes replay a session's records from.
    ///   - auth: checks credentials; its token minter also mints the tokens the routes hand out.
    ///   - environment: the daemon's environment (`AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK`).
    ///   - tokenRefresh: when a reader's token is refreshed in band on `/out`.
    ///   - playgroundPass: this run's playground pass (`PlaygroundAccess`); nil: the secret key only.
    ///   - files: where uploads are kept; nil serves no file routes.
    ///   - uploads: what the upload route takes.
    ///   - traced: a span per request, joining the caller's trace (`traceparent`): the turn a request starts nests under it.
    static func build(
        sessions: SessionDirectory, registry: PluginRegistry, storage: any SessionStorage,
        auth: Authenticator, environment: [String: String], playgroundPass: PlaygroundPass? = nil,
        tokenRefresh: TokenRefreshPolicy = TokenRefreshPolicy(),
        files: (any FileStore)? = nil, uploads: UploadPolicy = UploadPolicy(), traced: Bool = false
    ) -> Router<HostRequestContext> {
        let router = Router(context: HostRequestContext.self)
        if traced { router.add(middleware: TracingMiddleware()) }
        // Outermost: unknown routes and the non-browser groups get the JSON error shape here.
        let routes = RouteCatalog()
        router.add(middleware: ErrorMiddleware(routes: routes))
        let opener = SessionOpener(sessions: sessions, minter: auth.minter)

        MetricsRoutes(sessions: sessions, plugins: registry.startup, registry: registry, storage: storage).register(on: router)
        OpenAPIRoute.register(on: router)

        let management = router.group("api/v1").add(middleware: AuthMiddleware(.secretKey, auth: auth))
        ManagementRoutes(sessions: sessions, registry: registry, opener: opener, minter: auth.minter).register(on: management)

        let playground = router.group("playground/v1").add(middleware: PlaygroundAccess(auth: auth, pass: playgroundPass, environment: environment))
        PlaygroundAccessRoutes(sessions: sessions, registry: registry, opener: opener).register(on: playground)

        let realtime = BrowserRouteGroup(router.group("realtime/v1"), routes: routes)
        let ancestry = SessionAncestry(storage: storage)
        let reads = realtime.group().add(middleware: AuthMiddleware(.session(.read), auth: auth, ancestry: ancestry))
        let writes = realtime.group().add(middleware: AuthMiddleware(.session(.write), auth: auth))
        RealtimeRoutes(sessions: sessions, storage: storage, auth: auth, tokenRefresh: tokenRefresh)
            .register(reads: reads, writes: writes)
        ActiveTurnRoute(sessions: sessions).register(on: reads)
        TimelineRoute(storage: storage).register(on: reads)
        if let files {
            FileRoutes(storage: storage, files: files, policy: uploads).register(reads: reads, writes: writes)
        }

        let chat = BrowserRouteGroup(router.group("api/chat/:agent"), routes: routes)
        AIChatRoutes(sessions: sessions, storage: storage).register(
            turns: chat.group().add(middleware: AuthMiddleware(.anyCredential, auth: auth)),
            resumes: chat.group().add(middleware: AuthMiddleware(.session(.read), auth: auth, ancestry: ancestry))
        )

        PlaygroundRoutes().register(on: router, sdk: BrowserRouteGroup(router.group("sdk"), routes: routes))
        routes.load(router.routes)
        return router
    }
}
