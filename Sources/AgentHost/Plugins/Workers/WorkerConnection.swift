import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One end of the socket between the daemon and a worker: frames out from any
/// thread, frames in on a thread of its own.
///
/// Reading blocks in `read(2)`, so it runs on a dedicated thread, never on
/// Swift's cooperative pool (two blocked pool threads would stall the daemon).
final class WorkerConnection: Sendable {
    private let fd: Int32
    /// Serializes writers so frames never interleave; nil once closed.
    private let writer = Mutex<Bool>(true)

    /// - Parameters:
    ///   - fd: A connected stream socket; the connection owns and closes it.
    init(fd: Int32) {
        self.fd = fd
    }

    /// Writes one frame. False when the peer is gone or the write timed out
    /// (the socket's send timeout): the caller treats the peer as dead.
    @discardableResult
    func send(_ frame: WorkerFrame) -> Bool {
        let bytes = frame.encoded
        return writer.withLock { open in
            guard open else { return false }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { buffer in
                    Glibc.send(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
                }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    open = false
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Reads frames on a new thread until the peer closes or sends garbage,
    /// then calls `closed` once, on that thread.
    /// - Parameters:
    ///   - name: The thread's name, for debuggers and `top -H`.
    ///   - received: Called for each frame, in order.
    ///   - closed: Called once when the stream ends, with why.
    func startReading(
        name: String, received: @escaping @Sendable (WorkerFrame) -> Void,
        closed: @escaping @Sendable (String) -> Void
    ) {
        let thread = Thread { [self] in
            closed(readLoop(received))
        }
        thread.name = name
        thread.start()
    }

    /// Reads frames in the calling thread until the stream ends; returns why it ended.
    func readLoop(_ received: (WorkerFrame) -> Void) -> String {
        var header = [UInt8](repeating: 0, count: WorkerFrame.headerSize)
        while true {
            guard readFully(&header) else { return "connection closed" }
            let announced: WorkerFrame.Header
            do {
                announced = try WorkerFrame.header(header)
            } catch {
                return "malformed frame: \(error)"
            }
            var payload = [UInt8](repeating: 0, count: announced.payloadLength)
            guard readFully(&payload) else { return "connection closed inside a frame" }
            received(WorkerFrame(
                announced.kind, status: announced.status, turnId: announced.turnId, callId: announced.callId,
                payload: payload
            ))
        }
    }

    private func readFully(_ buffer: inout [UInt8]) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let count = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    /// Stops both directions: a blocked reader wakes with end-of-file. The fd
    /// itself is closed by `deinit`, once no thread can be inside a call on it.
    func shutdown() {
        writer.withLock { $0 = false }
        Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    deinit {
        close(fd)
    }
}
