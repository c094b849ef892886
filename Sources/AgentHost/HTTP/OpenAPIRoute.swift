import Hummingbird
import NIOCore

/// `GET /openapi.json`: the OpenAPI 3.1 document of every public route
/// (`Sources/AgentHost/OpenAPI/openapi.json`, compiled into the binary).
/// `OpenAPIDocumentTests` keeps it true: every route the router serves is in
/// it, and nothing else; the API fuzzer (schemathesis) runs against it.
enum OpenAPIRoute {
    static let path = "/openapi.json"

    /// The document's bytes, as served.
    static var document: [UInt8] { PackageResources.openapi_json }

    /// - Parameters:
    ///   - router: the daemon's router; the route needs no credential.
    static func register(on router: Router<HostRequestContext>) {
        router.get(RouterPath(path)) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: document))
            )
        }
    }
}
