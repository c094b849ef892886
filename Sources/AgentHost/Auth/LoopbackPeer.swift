import NIOCore

/// Whether a connection comes from this machine: 127.0.0.0/8, ::1, or an
/// IPv4-mapped loopback address (`::ffff:127.x.y.z`).
///
/// Reads the socket's peer address only. An unknown peer (nil, or a Unix socket)
/// is not loopback: when in doubt, no token.
enum LoopbackPeer {
    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let address else { return false }
        switch address {
        case .v4:
            return address.ipAddress?.hasPrefix("127.") ?? false
        case .v6:
            guard let text = address.ipAddress?.lowercased() else { return false }
            if text == "::1" { return true }
            if text.hasPrefix("::ffff:") {
                return text.dropFirst("::ffff:".count).hasPrefix("127.")
            }
            return false
        case .unixDomainSocket:
            return false
        }
    }
}
