import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Who may use the playground's session and token routes (`/playground/v1`):
/// they list every session and mint a read+write token for any chat, so they
/// are as powerful as the secret key within their reach.
///
/// - A request with an `Authorization` header must carry the secret key or this
///   run's playground pass (`PlaygroundPass`, printed in the start-up banner's
///   playground link), from any address. This is `serve`'s only way in: a local
///   process that can reach the loopback port but not the daemon's output gets
///   nothing.
/// - A request without one is allowed only when loopback trust is on (`agent-host
///   dev`, or `AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK=1`), the *socket's* peer
///   address is loopback (never a header such as `X-Forwarded-For`), and its
///   `Host` and `Origin` (if sent) name a loopback host. That last check stops
///   DNS rebinding: a web page on `evil.example` whose name resolves to 127.0.0.1
///   reaches us from a loopback peer, but with `Host: evil.example`.
struct PlaygroundAccess: Sendable {
    let auth: Authenticator
    let pass: PlaygroundPass?
    let trustsLoopback: Bool

    static let environmentKey = "AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK"

    /// - Parameters:
    ///   - auth: checks the secret key.
    ///   - pass: this run's playground pass; nil accepts the secret key only.
    ///   - environment: `AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK=1` lets loopback browsers in without a credential.
    init(auth: Authenticator, pass: PlaygroundPass? = nil, environment: [String: String]) {
        self.auth = auth
        self.pass = pass
        trustsLoopback = Self.trustsLoopback(environment)
    }

    /// Whether the environment turns loopback trust on; off unless it says so.
    /// - Parameters:
    ///   - environment: the daemon's environment.
    static func trustsLoopback(_ environment: [String: String]) -> Bool {
        ["1", "true", "yes", "on"].contains(environment[environmentKey]?.lowercased() ?? "")
    }

    /// The caller, if the playground may serve it: the secret key, the playground
    /// pass, or (with loopback trust on) a loopback browser.
    /// - Parameters:
    ///   - request: the request, read for `Authorization`, `Host` and `Origin`.
    ///   - peer: the socket's peer address.
    @discardableResult
    func require(_ request: Request, peer: SocketAddress?) async throws(AgentHostError) -> Principal {
        let headers = request.headers
        if headers[.authorization] != nil {
            if let pass, let credential = Authenticator.bearerCredential(headers), pass.matches(credential) {
                return .playground
            }
            return try await auth.requireSecret(headers)
        }
        guard trustsLoopback else {
            throw .unauthorized(
                "the playground needs this run's playground pass (open the playground link the daemon printed at start-up) "
                    + "or the secret key"
            )
        }
        guard LoopbackPeer.isLoopback(peer) else {
            throw .forbidden(
                "playground sessions are handed out only to browsers on the daemon's own machine; "
                    + "send the secret key as `Authorization: Bearer …` to use them from elsewhere"
            )
        }
        // HTTP/1's `Host` header arrives as the request's authority.
        guard Self.namesLoopback(host: request.head.authority),
              headers.value(named: "origin").map({ Self.namesLoopback(host: URL(string: $0)?.host) }) ?? true
        else {
            throw .forbidden("the request's Host or Origin is not this machine; open the playground at http://127.0.0.1 or http://localhost")
        }
        return .playground
    }

    /// `localhost`, `*.localhost`, `127.x.y.z` or `[::1]`, with or without a port.
    static func namesLoopback(host: String?) -> Bool {
        guard var name = host?.lowercased(), !name.isEmpty else { return false }
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            return name[name.index(after: name.startIndex)..<close] == "::1"
        }
        if name == "::1" { return true }
        if let colon = name.lastIndex(of: ":") { name = String(name[..<colon]) }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
