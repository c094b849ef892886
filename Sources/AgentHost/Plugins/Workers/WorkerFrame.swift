/// One message between the daemon and a plugin worker process.
///
/// The messages are the plugin ABI's calls and completions (agent_plugin.h),
/// one frame each, so that a plugin runs the same way in a worker as in the
/// daemon: the JSON the ABI passes travels as the payload, untouched. A frame
/// on the socket is a 32-byte little-endian header — payload length, kind,
/// status, turn id, call id — followed by the payload bytes.
struct WorkerFrame: Sendable, Equatable {
    /// What the frame carries. Raw values are the wire format: append, never renumber.
    enum Kind: UInt32, Sendable {
        // worker → daemon
        /// The handshake: the plugin loaded; payload = its manifest JSON;
        /// `status` = capability bits (`helloHasHooks`).
        case hello = 1
        /// The plugin could not be loaded; payload = the reason.
        case refused = 2
        /// `start_turn` returned `status` for `turnId`.
        case turnStarted = 3
        /// `emit`: payload = one chunk JSON.
        case emit = 4
        /// `call_service`: payload = service name, a NUL byte, request JSON.
        case callService = 5
        /// `finish_turn`: `status`, payload = result.
        case finishTurn = 6
        /// A tool call's `done`: `status`, payload = output JSON or error text.
        case toolDone = 7
        /// `shutdown`'s `done`.
        case shutdownDone = 9
        /// A `call_hook`'s `done`: `status`, payload = result JSON or error text.
        case hookDone = 10

        // daemon → worker
        /// `start_turn`: payload = the turn request JSON.
        case startTurn = 20
        /// `cancel_turn`; payload = the `cancelTurn` event to pass to `call_hook`
        /// first, or empty (no reason known).
        case cancelTurn = 21
        /// `call_tool`: payload = the tool call JSON.
        case callTool = 22
        /// A service call's `done`: `status`, payload = result.
        case serviceDone = 23
        /// `shutdown`: cancel everything, answer `shutdownDone`, exit.
        case shutdown = 24
        /// `call_hook`: payload = the event JSON; answered by `hookDone` with the same call id.
        case callHook = 25
    }

    /// The `hello` status bit saying the plugin has `call_hook` (ABI 1.1).
    static let helloHasHooks: UInt32 = 1

    static let headerSize = 32
    /// A frame larger than this is a broken peer, not a message: the 1 MiB
    /// request limit and the model's context bound every honest payload well below.
    static let maximumPayload = 256 * 1024 * 1024

    var kind: Kind
    var status: UInt32 = 0
    var turnId: UInt64 = 0
    var callId: UInt64 = 0
    var payload: [UInt8] = []

    init(_ kind: Kind, status: UInt32 = 0, turnId: UInt64 = 0, callId: UInt64 = 0, payload: [UInt8] = []) {
        self.kind = kind
        self.status = status
        self.turnId = turnId
        self.callId = callId
        self.payload = payload
    }

    init(_ kind: Kind, status: UInt32 = 0, turnId: UInt64 = 0, callId: UInt64 = 0, text: String) {
        self.init(kind, status: status, turnId: turnId, callId: callId, payload: Array(text.utf8))
    }

    /// The payload as text; invalid UTF-8 is repaired, never trusted.
    var text: String { String(decoding: payload, as: UTF8.self) }

    /// Header and payload, ready to write.
    var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerSize + payload.count)
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        append(UInt32(payload.count))
        append(kind.rawValue)
        append(status)
        append(UInt32(0))  // reserved, keeps the ids 8-byte aligned
        append(turnId)
        append(callId)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// What a header announces, before its payload is read.
    struct Header: Sendable, Equatable {
        var payloadLength: Int
        var kind: Kind
        var status: UInt32
        var turnId: UInt64
        var callId: UInt64
    }

    enum DecodingError: Error, Equatable {
        case unknownKind(UInt32)
        case payloadTooLarge(Int)
    }

    /// Reads a 32-byte header.
    static func header(_ bytes: some Collection<UInt8>) throws(DecodingError) -> Header {
        let raw = Array(bytes.prefix(headerSize))
        func read<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(raw[offset + index]) << (8 * index) }
            return value
        }
        let length = Int(read(UInt32.self, at: 0))
        guard length <= maximumPayload else { throw .payloadTooLarge(length) }
        let kindValue = read(UInt32.self, at: 4)
        guard let kind = Kind(rawValue: kindValue) else { throw .unknownKind(kindValue) }
        return Header(
            payloadLength: length, kind: kind, status: read(UInt32.self, at: 8),
            turnId: read(UInt64.self, at: 16), callId: read(UInt64.self, at: 24)
        )
    }
}

extension WorkerFrame {
    /// A `callService` payload: the service name and the request, split at the first NUL.
    static func serviceCall(service: String, request: String) -> [UInt8] {
        Array(service.utf8) + [0] + Array(request.utf8)
    }

    /// The service name and request of a `callService` frame.
    var serviceCall: (service: String, request: String) {
        guard let split = payload.firstIndex(of: 0) else { return (text, "") }
        return (
            String(decoding: payload[..<split], as: UTF8.self),
            String(decoding: payload[payload.index(after: split)...], as: UTF8.self)
        )
    }
}
