import Crypto
import Foundation

/// The playground's pass for one run of the daemon: a random secret made at
/// start-up, kept in memory only, and printed in the banner's playground link
/// (`http://127.0.0.1:8787/#pass=…`).
///
/// It opens the playground's routes (`/playground/v1`: agents, sessions,
/// tokens) and nothing else, so the person who started the daemon — who sees
/// its output — opens the playground with one click, while another local
/// process or user, who could reach a loopback port but not the terminal, gets
/// nothing. A restart makes a new pass; an open tab asks for one again.
public struct PlaygroundPass: Sendable {
    /// Compared in constant time, like the secret key it stands beside.
    private let secret: SecretKey

    /// A fresh random pass.
    public init() {
        let random = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        secret = SecretKey(value: "pp_" + random.map { String(format: "%02x", $0) }.joined(), source: "start-up")
    }

    /// The pass itself, for the banner's link.
    public var value: String { secret.value }

    /// Whether `candidate` is this pass.
    /// - Parameters:
    ///   - candidate: a bearer credential.
    func matches(_ candidate: String) -> Bool { secret.matches(candidate) }
}
