import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection to the daemon over a raw socket, for the hostile clients
/// of README "Limits: connections": it sends exactly the bytes a test gives —
/// half a head, a body shorter than its `Content-Length` — and can tell
/// whether the daemon closed it.
final class RawConnection {
    private let socket: Int32
    /// What the daemon sent so far.
    private(set) var received = [UInt8]()
    /// The daemon closed the connection (or reset it).
    private(set) var isClosed = false

    /// Connects to 127.0.0.1.
    /// - Parameters:
    ///   - port: The daemon's port.
    init(port: Int) throws {
        socket = try Self.connectedSocket(port: port)
    }

    /// A TCP socket connected to 127.0.0.1:`port`.
    /// - Parameters:
    ///   - port: The daemon's port.
    ///   - receiveBuffer: `SO_RCVBUF` to set before connecting (a tiny one makes a stalled reader).
    static func connectedSocket(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket: \(errno)") }
        if var size = receiveBuffer {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw TestFailure("connect: \(errno)")
        }
        return socket
    }

    deinit { close(socket) }

    /// Sends `text`; false when the daemon has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let sent = Array(text.utf8).withUnsafeBufferPointer { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent < 0 { isClosed = true }
        return sent >= 0
    }

    /// Reads what has arrived without waiting; notes a close.
    func poll() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !isClosed {
            let count = recv(socket, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                received += chunk[..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                isClosed = true
            } else {
                return
            }
        }
    }

    /// What arrived so far, as text.
    var text: String { String(decoding: received, as: UTF8.self) }

    /// The status code of the response that arrived, if one did.
    var status: Int? {
        guard text.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }

    /// The JSON body of the response that arrived (after the head).
    var body: String {
        guard let range = text.range(of: "\r\n\r\n") else { return "" }
        return String(text[range.upperBound...])
    }

    /// One request on a fresh connection, read until the daemon closes it or
    /// the response is complete (a `Content-Length` body).
    static func exchange(port: Int, _ request: String) async throws -> RawConnection {
        let connection = try RawConnection(port: port)
        connection.send(request)
        try await waitUntil {
            connection.poll()
            return connection.isClosed || connection.hasCompleteResponse
        }
        return connection
    }

    /// A head and as many body bytes as its `Content-Length` says have arrived.
    private var hasCompleteResponse: Bool {
        let text = self.text
        guard let range = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<range.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return text[range.upperBound...].utf8.count >= length
    }
}
