import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A client that opens a session's SSE stream over a raw socket with a tiny
/// receive buffer and then does not read: the hostile reader of README
/// "Limits". `drain` reads what it got once the test wants to look.
final class StalledReader {
    private let socket: Int32

    /// Connects and sends `GET path` with `token`, then reads nothing.
    /// - Parameters:
    ///   - port: The daemon's port on 127.0.0.1.
    ///   - path: The request path, e.g. `/realtime/v1/sessions/c/out`.
    ///   - token: A bearer token.
    ///   - lastEventId: Sent as `Last-Event-ID` when given.
    init(port: Int, path: String, token: String, lastEventId: Int64? = nil) throws {
        socket = try RawConnection.connectedSocket(port: port, receiveBuffer: 2048)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nAccept: text/event-stream\r\n"
        if let lastEventId { request += "Last-Event-ID: \(lastEventId)\r\n" }
        request += "\r\n"
        let sent = request.utf8CString.withUnsafeBufferPointer { send(socket, $0.baseAddress, $0.count - 1, 0) }
        guard sent > 0 else { throw TestFailure("send: \(errno)") }
    }

    deinit { close(socket) }

    /// Whether the daemon has started answering (bytes wait to be read).
    var hasReceivedBytes: Bool {
        var byte: UInt8 = 0
        return recv(socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Reads everything until the daemon closes the connection, or until nothing
    /// came for `quiet`. Returns the bytes and whether the connection was closed.
    func drain(quiet: Duration = .seconds(20)) -> (text: String, closed: Bool) {
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var wait = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let quietMillis = Int32(quiet.components.seconds * 1000)
        while true {
            let ready = poll(&wait, 1, quietMillis)
            guard ready > 0 else { return (String(decoding: received, as: UTF8.self), false) }
            let count = recv(socket, &chunk, chunk.count, 0)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += chunk[..<count]
        }
    }

    /// The `id:` of every event in `text`, in order.
    static func eventIds(in text: String) -> [Int64] {
        // `\r\n` (the chunked encoding's line ends) is one Character: split on any newline.
        text.split(whereSeparator: \.isNewline).compactMap { line in
            line.hasPrefix("id: ") ? Int64(line.dropFirst(4).trimmingCharacters(in: .whitespacesAndNewlines)) : nil
        }
    }
}
