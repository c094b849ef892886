import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

@testable import AgentHost

/// The daemon's real router (`HTTPRouter.build`) on real components in a
/// temporary directory: SQLite, an empty plugin registry, the token minter.
/// Shared by the in-process route tests.
struct HTTPRouterFixture {
    let directory: URL
    let secretKey: SecretKey
    let minter: TokenMinter
    let storage: SQLiteStorage
    let router: Router<HostRequestContext>
    /// Where uploads go: `<directory>/files`.
    let files: DirectoryFileStore
    /// The playground pass the router accepts, as the daemon prints it at start-up.
    let playgroundPass = PlaygroundPass()

    /// - Parameters:
    ///   - environment: the daemon's environment (e.g. `AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK`).
    ///   - uploads: what the upload route takes.
    init(environment: [String: String] = [:], uploads: UploadPolicy = UploadPolicy()) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-router-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logger = Logger(label: "test")
        secretKey = try SecretKey.load(environment: [:], dataDirectory: directory.path)
        minter = await TokenMinter(secretKey: secretKey)
        storage = try SQLiteStorage(path: directory.appendingPathComponent("db.sqlite").path)
        let turns = TurnTable()
        let registry = PluginRegistry(storeDirectory: directory.appendingPathComponent("store").path, logger: logger, turns: turns)
        let services = SessionServices(
            storage: storage, writer: LogWriter(storage: storage), registry: registry,
            models: ModelCatalog(environment: [:]), turns: turns, logger: logger
        )
        files = DirectoryFileStore(directory: directory.appendingPathComponent("files").path)
        router = HTTPRouter.build(
            sessions: SessionDirectory(services: services), registry: registry, storage: storage,
            auth: Authenticator(secretKey: secretKey, minter: minter), environment: environment,
            playgroundPass: playgroundPass, files: files, uploads: uploads
        )
    }

    /// An application on the fixture's router, for `app.test(.router)` / `.live`.
    var application: some ApplicationProtocol {
        Application(router: router, logger: Logger(label: "test"))
    }

    /// Puts a session row straight into storage: the registry here has no
    /// agents, and the routes under test only need the session to exist.
    func addSession(_ chatId: String, agent: String = "my-chat") async throws {
        _ = try await storage.createSession(SessionRow(chatId: chatId, agent: agent))
    }

    /// A public token, as `POST /api/v1/tokens` mints it.
    func token(read: [String] = [], write: [String] = [], ttl: Duration = .seconds(60), now: Date = Date()) async throws -> String {
        try await minter.mint(scopes: TokenScopes(read: read, write: write), ttl: ttl, now: now)
    }

    /// A request context whose connection comes from `peer`: the `.router`
    /// test client has no peer address, and this is how a test gives it one.
    func context(peer: String) throws -> HostRequestContext {
        let channel = NIOAsyncTestingChannel()
        channel.remoteAddress = try SocketAddress(ipAddress: peer, port: 40000)
        return HostRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: Logger(label: "test")))
    }

    /// A request as the responder sees it, `Host` (the authority) included.
    static func request(
        _ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: String, authority: String = "127.0.0.1:8787"
    ) -> Request {
        let head = HTTPRequest(method: method, scheme: "http", authority: authority, path: path, headerFields: headers)
        return Request(head: head, body: RequestBody(buffer: ByteBuffer(string: body)))
    }

    func body(of response: Response) async throws -> String {
        let collector = Collector()
        _ = try await response.body.write(collector)
        return await collector.text
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Collects a response body written by a route.
    actor Collector: ResponseBodyWriter {
        var text = ""

        func write(_ buffer: ByteBuffer) async throws {
            text += String(buffer: buffer)
        }

        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
