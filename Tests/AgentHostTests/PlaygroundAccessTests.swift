import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
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
        let fixture = try await HTTPRouterFixture(environment: HTTPPlaygroundAccessTests.trusted)
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
                to: HTTPRouterFixture.request(method, path, headers: spoofed, body: body),
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
            to: HTTPRouterFixture.request(.get, "/playground/v1/sessions", headers: withKey, body: ""),
            context: try fixture.context(peer: "10.0.0.5")
        )
        #expect(allowed.status == .ok)

        // And the same request from a loopback peer needs no key.
        let local = try await responder.respond(
            to: HTTPRouterFixture.request(.get, "/playground/v1/sessions", headers: spoofed, body: ""),
            context: try fixture.context(peer: "127.0.0.1")
        )
        #expect(local.status == .ok)
    }

    /// `agent-host dev` trusts loopback browsers unless the environment says otherwise; `serve` never
    /// turns it on by itself.
    @Test func devTrustsLoopbackUnlessTheEnvironmentDecides() {
        var dev = DaemonConfiguration(dataDirectory: "/tmp/x", pluginsDirectory: nil, host: "127.0.0.1", port: 0, environment: [:])
        #expect(!PlaygroundAccess.trustsLoopback(dev.environment))
        dev.trustPlaygroundLoopbackUnlessSet()
        #expect(PlaygroundAccess.trustsLoopback(dev.environment))
        var proxied = DaemonConfiguration(dataDirectory: "/tmp/x", pluginsDirectory: nil, host: "127.0.0.1", port: 0, environment: ["AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK": "0"])
        proxied.trustPlaygroundLoopbackUnlessSet()
        #expect(!PlaygroundAccess.trustsLoopback(proxied.environment))
    }
}
