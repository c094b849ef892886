import HTTPTypes
import Hummingbird

extension CORSMiddleware {
    /// Lets web apps on other origins use the browser-facing routes: the realtime
    /// routes, the AI SDK routes and the SDK module itself.
    ///
    /// Those routes authenticate with a bearer token in a header, never a cookie,
    /// so allowing every origin (`*`, no credentials) grants nothing a page could
    /// not already do with the token it holds. The operator routes (`/api/v1`) and
    /// the playground's loopback routes (`/playground/v1`) do not use it: a
    /// foreign page cannot read their answers.
    static var browser: CORSMiddleware<Context> {
        CORSMiddleware(
            allowOrigin: .all,
            // Names as today's clients send them; all four are valid tokens, so none is dropped.
            allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID", "Idempotency-Key"].compactMap { HTTPField.Name($0) },
            allowMethods: [.get, .post, .options],
            maxAge: .seconds(600)
        )
    }
}
