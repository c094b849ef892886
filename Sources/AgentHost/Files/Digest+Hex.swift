import Crypto

extension Sequence<UInt8> {
    /// The bytes as lowercase hex, two digits each: how a SHA-256 is written in paths and URLs.
    var lowercaseHex: String { map { String(format: "%02x", $0) }.joined() }
}
