import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The playground page (`/`) and the browser SDK (`/sdk/agent-chat.js`): plain
/// files from `Sources/AgentHost/Playground/`, compiled into the binary by
/// SwiftPM (`.embedInCode`), so the daemon serves them with no build step and
/// no files next to it.
struct PlaygroundRoutes {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String

        init(_ bytes: [UInt8], contentType: String) {
            body = ByteBuffer(bytes: bytes)
            self.contentType = contentType
            etag = "\"" + SHA256.hash(data: bytes).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        }
    }

    /// The playground page and its files, same-origin only.
    static let pages: [String: Asset] = [
        "/": Asset(PackageResources.index_html, contentType: "text/html; charset=utf-8"),
        "/playground/app.js": Asset(PackageResources.app_js, contentType: "text/javascript; charset=utf-8"),
        "/playground/chat-view.js": Asset(PackageResources.chat_view_js, contentType: "text/javascript; charset=utf-8"),
        "/playground/markdown.js": Asset(PackageResources.markdown_js, contentType: "text/javascript; charset=utf-8"),
        "/playground/app.css": Asset(PackageResources.app_css, contentType: "text/css; charset=utf-8"),
        "/playground/icon.svg": Asset(PackageResources.icon_svg, contentType: "image/svg+xml"),
    ]

    /// The browser SDK, under `/sdk/`: web apps on other origins import it.
    static let sdk: [String: Asset] = [
        "agent-chat.js": Asset(PackageResources.agent_chat_js, contentType: "text/javascript; charset=utf-8"),
    ]

    /// - Parameters:
    ///   - router: where the playground's pages go.
    ///   - sdk: the `/sdk` group, open to other origins.
    func register(on router: some RouterMethods<HostRequestContext>, sdk: some RouterMethods<HostRequestContext>) {
        for (path, asset) in Self.pages {
            router.get(RouterPath(path)) { request, _ in Self.respond(with: asset, to: request) }
        }
        for (path, asset) in Self.sdk {
            sdk.get(RouterPath(path)) { request, _ in Self.respond(with: asset, to: request) }
        }
    }

    /// Revalidated on every load (`no-cache` + ETag): a new daemon build serves
    /// its new page at once, an unchanged one answers 304.
    private static func respond(with asset: Asset, to request: Request) -> Response {
        var headers: HTTPFields = [.contentType: asset.contentType, .cacheControl: "no-cache", .eTag: asset.etag]
        if let nosniff = HTTPField.Name("x-content-type-options") { headers[nosniff] = "nosniff" }
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.body))
    }
}
