import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection to the daemon that misbehaves on purpose for
/// `bench --soak`: it sends what it is told and never reads, with a tiny
/// receive buffer, so the daemon's writes to it back up at once.
final class HostileSocket {
    private let descriptor: Int32
    /// `POLLRDHUP` (the peer closed its side): Linux's, which Glibc's module leaves out without `_GNU_SOURCE`.
    private static let readHangUp: Int16 = 0x2000

    /// Connects to `host:port`; nil when the daemon refuses or the process is out of descriptors.
    /// - Parameters:
    ///   - host: An IPv4 address, e.g. `127.0.0.1`.
    ///   - port: The daemon's port.
    init?(host: String, port: Int) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var size: Int32 = 2048
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
    }

    deinit { close(descriptor) }

    /// Sends `text` without blocking; false once the daemon closed the
    /// connection (or its buffers are full, which a hostile client treats alike).
    func send(_ text: String) -> Bool {
        let sent = text.utf8CString.withUnsafeBufferPointer {
            Glibc.send(descriptor, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
        return sent > 0
    }

    /// Whether the daemon closed the connection: the socket reads as ended
    /// (bytes waiting to be read do not count; they are left unread).
    var isClosedByPeer: Bool {
        var probe = pollfd(fd: descriptor, events: Self.readHangUp, revents: 0)
        guard poll(&probe, 1, 0) > 0 else { return false }
        return probe.revents & (Self.readHangUp | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }
}
