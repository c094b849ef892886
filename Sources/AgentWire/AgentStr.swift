import CAgentABI

extension String {
    /// Copies borrowed bytes from the other side of the plugin boundary.
    /// Invalid UTF-8 is repaired, never trusted.
    ///
    /// - Parameters:
    ///   - agentStr: Bytes the other side lends for the duration of the call; a
    ///     null pointer or zero length gives the empty string.
    public init(agentStr: agent_str) {
        guard let pointer = agentStr.ptr, agentStr.len > 0 else {
            self = ""
            return
        }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: agentStr.len)
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Lends `string` to a C call as an `agent_str`, valid only inside `body`: the
/// way to pass text across the plugin boundary without allocating a C copy.
///
/// - Parameters:
///   - string: The text to lend.
///   - body: The call that borrows the bytes; it must not keep the pointer.
/// - Returns: What `body` returns.
public func withAgentStr<R>(_ string: String, _ body: (agent_str) throws -> R) rethrows -> R {
    var copy = string
    return try copy.withUTF8 { buffer in
        let base = UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
        return try body(agent_str(ptr: base, len: buffer.count))
    }
}

/// A string allocated once and never freed: for data the ABI says stays valid for
/// the life of the process (a plugin's manifest, the host's toolchain id).
///
/// - Parameters:
///   - string: The text to copy into memory that is never released.
public func immortalAgentStr(_ string: String) -> agent_str {
    let bytes = Array(string.utf8)
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
    bytes.withUnsafeBufferPointer { source in
        source.withMemoryRebound(to: CChar.self) { chars in
            if let base = chars.baseAddress { storage.initialize(from: base, count: bytes.count) }
        }
    }
    return agent_str(ptr: UnsafePointer(storage), len: bytes.count)
}

/// The compiler that built this module; plugins and host must agree on it,
/// because Swift has no stable ABI on Linux (`agent_toolchain_id()` in agent_plugin.h).
public var currentToolchainID: String {
    String(cString: agent_toolchain_id())
}
