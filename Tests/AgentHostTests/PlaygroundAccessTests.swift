import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import AgentHost

/// The playground's key-less routes hand out tokens only to loopback peers.
/// The peer is the socket's address: these tests give the router a connection
/// from another machine, which an integration test on one machine cannot.
@Suite struct PlaygroundAccessTests {
    @Test func loopbackMeansTheSocketsPeerAddress() throws {
        for address in ["127.0.0.1", "127.10.20.30", "::1", "::ffff:127.0.0.1"] {
            #expect(LoopbackPeer.isLoopback(try SocketAddress(ipAddress: address, port: 5000)), "\(address)")
        }
        for address in ["10.0.0.5", "192.168.1.20", "8.8.8.8", "::ffff:10.0.0.1", "2001:db8::1", "fe80::1"] {
            #expect(!LoopbackPeer.isLoopback(try SocketAddress(ipAddress: address, port: 5000)), "\(address)")
        }
        #expect(!LoopbackPeer.isLoopback(nil))
    }

    @Test func hostAndOriginNamesThatCountAsThisMachine() {
        for host in ["127.0.0.1:8787", "localhost", "localhost:3000", "app.localhost:1", "[::1]:8787", "127.1.2.3"] {
            #expect(PlaygroundAccess.namesLoopback(host: host), "\(host)")
        }
        for host in ["evil.example", "evil.example:8787", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1:8787", "", "[::2]"] {
            #expect(!PlaygroundAccess.namesLoopback(host: host), "\(host)")
        }
        #expect(!PlaygroundAccess.namesLoopback(host: nil))
    }

    /// The real router and routes, a request from 10.0.0.5 that claims, in every
    /// header it can, to be local.
    @Test func aRemotePeerGetsNoTokenWithoutTheSecretKey() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let responder = fixture.router.buildResponder()
        let spoofed: HTTPFields = [
            .contentType: "application/json",
            HTTPField.Name("x-forwarded-for")!: "127.0.0.1", HTTPField.Name("x-real-ip")!: "127.0.0.1",
            HTTPField.Name("forwarded")!: "for=127.0.0.1", HTTPField.Name("origin")!: "http://127.0.0.1:8787",
        ]
        for (method, path, body) in [
            (HTTPRequest.Method.post, "/playground/v1/sessions", #"{"agent":"my-chat","chatId":"remote"}"#),
            (.post, "/playground/v1/tokens", #"{"chatId":"remote"}"#),
            (.get, "/playground/v1/sessions", ""),
            (.get, "/playground/v1/agents", ""),
        ] {
            let response = try await responder.respond(
                to: Fixture.request(method, path, headers: spoofed, body: body),
                context: try fixture.context(peer: "10.0.0.5")
            )
            #expect(response.status == .forbidden, "\(path)")
            let text = try await fixture.body(of: response)
            #expect(text.contains(#""code":"forbidden""#), "\(path): \(text)")
            #expect(!text.contains("publicAccessToken"))
        }

        // With the secret key the same peer may (the operator chose to hand it out).
        var withKey = spoofed
        withKey[.authorization] = "Bearer \(fixture.secretKey.value)"
        let allowed = try await responder.respond(
            to: Fixture.request(.get, "/playground/v1/sessions", headers: withKey, body: ""),
            context: try fixture.context(peer: "10.0.0.5")
        )
        #expect(allowed.status == .ok)

        // And the same request from a loopback peer needs no key.
        let local = try await responder.respond(
            to: Fixture.request(.get, "/playground/v1/sessions", headers: spoofed, body: ""),
            context: try fixture.context(peer: "127.0.0.1")
        )
        #expect(local.status == .ok)
    }

    /// Real components on a temporary directory: SQLite, an empty plugin registry.
    struct Fixture {
        let directory: URL
        let secretKey: SecretKey
        let router: Router<HostRequestContext>

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("playground-access-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let logger = Logger(label: "test")
            secretKey = try SecretKey.load(environment: [:], dataDirectory: directory.path)
            let minter = await TokenMinter(secretKey: secretKey)
            let storage = try SQLiteStorage(path: directory.appendingPathComponent("db.sqlite").path)
            let turns = TurnTable()
            let registry = PluginRegistry(storeDirectory: directory.appendingPathComponent("store").path, logger: logger, turns: turns)
            let services = SessionServices(
                storage: storage, writer: LogWriter(storage: storage), registry: registry,
                models: ModelCatalog(environment: [:]), turns: turns, logger: logger
            )
            let auth = Authenticator(secretKey: secretKey, minter: minter)
            router = Router(context: HostRequestContext.self)
            router.add(middleware: ErrorMiddleware())
            PlaygroundAccessRoutes(
                sessions: SessionDirectory(services: services), registry: registry, minter: minter,
                access: PlaygroundAccess(auth: auth, environment: [:])
            ).register(on: router)
        }

        func context(peer: String) throws -> HostRequestContext {
            let channel = NIOAsyncTestingChannel()
            channel.remoteAddress = try SocketAddress(ipAddress: peer, port: 40000)
            return HostRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: Logger(label: "test")))
        }

        static func request(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: String) -> Request {
            let head = HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1:8787", path: path, headerFields: headers)
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
