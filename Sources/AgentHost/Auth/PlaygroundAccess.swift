import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Who may use the playground's session and token routes (`/playground/v1`).
///
/// The playground must work with no set-up when opened on the daemon's own
/// machine, yet a browser elsewhere must never get a token without the secret
/// key. So:
///
/// - a request with an `Authorization` header must carry the secret key, from
///   any address;
/// - a request without one is allowed only when the *socket's* peer address is
///   loopback (never a header such as `X-Forwarded-For`), and additionally its
///   `Host` and `Origin` (if sent) name a loopback host. That last check stops
///   DNS rebinding: a web page on `evil.example` whose name resolves to 127.0.0.1
///   reaches us from a loopback peer, but with `Host: evil.example`.
///
/// `AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK=0` turns the loopback path off, for a
/// daemon behind a reverse proxy on the same machine (every peer is then local).
struct PlaygroundAccess: Sendable {
    let auth: Authenticator
    let trustsLoopback: Bool

    static let environmentKey = "AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK"

    init(auth: Authenticator, environment: [String: String]) {
        self.auth = auth
        let setting = environment[Self.environmentKey]?.lowercased()
        trustsLoopback = !["0", "false", "no", "off"].contains(setting ?? "")
    }

    /// The caller, if the playground may serve it: the secret key, or a loopback browser.
    /// - Parameters:
    ///   - request: the request, read for `Authorization`, `Host` and `Origin`.
    ///   - peer: the socket's peer address.
    @discardableResult
    func require(_ request: Request, peer: SocketAddress?) async throws(AgentHostError) -> Principal {
        let headers = request.headers
        if headers[.authorization] != nil {
            return try await auth.requireSecret(headers)
        }
        guard trustsLoopback else {
            throw .unauthorized("the playground needs the secret key on this daemon (\(Self.environmentKey) is off)")
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
        return .loopback
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
