import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A dropped plugin file that passed every check that can be made without
/// running any of its code. `dlopen` runs constructors, so trust is decided here.
struct VerifiedPluginFile: Sendable {
    /// The file name without `lib` and `.so`: `libMyChat.so` → `MyChat`.
    let name: String
    let sourcePath: String
    let bytes: [UInt8]
    let sha256: String
}

/// Checks a file before anything loads it: regular file (not followed through a
/// symlink, never waited on), owned by us or root, not writable by group or
/// others, an ELF shared object for this machine whose segments and header
/// tables lie inside the file. Reads the bytes once, from the fd it checked.
enum PluginFileVerifier {
    static let maximumSize = 512 * 1024 * 1024

    static func verify(path: String) throws(PluginRefusal) -> VerifiedPluginFile {
        let file = (path as NSString).lastPathComponent
        func refuse(_ reason: String) -> PluginRefusal { PluginRefusal(file: file, reason: reason) }

        // Never block on a name: a FIFO (or a device) called `x.so` must not hang
        // the registry. lstat refuses what open would fail on or wait for (a
        // socket, a FIFO) by name; O_NONBLOCK keeps an open that raced a swap
        // from waiting for a writer, and fstat below decides on what was opened.
        // A regular file ignores O_NONBLOCK, so the reads stay ordinary reads.
        var entry = stat()
        guard lstat(path, &entry) == 0 else { throw refuse("cannot open: \(String(cString: strerror(errno)))") }
        guard (entry.st_mode & S_IFMT) != S_IFLNK else { throw refuse("is a symbolic link") }
        guard (entry.st_mode & S_IFMT) == S_IFREG else { throw refuse("is not a regular file") }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw refuse(errno == ELOOP ? "is a symbolic link" : "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw refuse("cannot stat: \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw refuse("is not a regular file") }
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw refuse("is owned by uid \(info.st_uid), not by the daemon's user (\(geteuid())) or root")
        }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw refuse("is writable by group or others (mode \(String(info.st_mode & 0o777, radix: 8)))")
        }
        guard info.st_size > 0, Int(info.st_size) <= maximumSize else {
            throw refuse("has size \(info.st_size), outside 1...\(maximumSize) bytes")
        }

        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            guard count > 0 else { throw refuse("short read at byte \(offset)") }
            offset += count
        }
        if let problem = ELFHeader.problem(with: bytes) ?? ELFImage.layoutProblem(in: bytes) { throw refuse(problem) }

        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return VerifiedPluginFile(name: pluginName(fromFile: file), sourcePath: path, bytes: bytes, sha256: digest)
    }

    static func pluginName(fromFile file: String) -> String {
        var name = file
        if name.hasSuffix(".so") { name.removeLast(3) }
        if name.hasPrefix("lib"), name.count > 3 { name.removeFirst(3) }
        let allowed = name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        return allowed.isEmpty ? "plugin" : allowed
    }
}

/// The few ELF header fields that decide whether `dlopen` could even apply.
enum ELFHeader {
    static let sharedObject: UInt16 = 3
    #if arch(x86_64)
    static let hostMachine: UInt16 = 62
    #elseif arch(arm64)
    static let hostMachine: UInt16 = 183
    #else
    static let hostMachine: UInt16 = 0
    #endif

    /// nil when the header is that of a 64-bit little-endian shared object for this machine.
    static func problem(with bytes: [UInt8]) -> String? {
        guard bytes.count >= 64, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            return "is not an ELF file"
        }
        guard bytes[4] == 2, bytes[5] == 1 else { return "is not a 64-bit little-endian ELF file" }
        let type = UInt16(bytes[16]) | UInt16(bytes[17]) << 8
        guard type == sharedObject else { return "is not an ELF shared object (e_type \(type))" }
        let machine = UInt16(bytes[18]) | UInt16(bytes[19]) << 8
        guard machine == hostMachine else { return "is built for another machine (e_machine \(machine))" }
        return nil
    }
}
