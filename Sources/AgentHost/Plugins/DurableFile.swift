#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so that a crash at any moment leaves either the old content
/// or the new, never a mix: temp file in the same folder, `fsync`, `rename`,
/// `fsync` of the folder (which makes the rename itself durable).
enum DurableFile {
    /// Writes `bytes` to `path` atomically and durably.
    /// - Parameters:
    ///   - bytes: The whole new content.
    ///   - path: The file to create or replace; its folder must exist.
    ///   - mode: The file's permissions once written.
    /// - Returns: nil on success, else what failed (the temp file is removed).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) -> String? {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder)/.\(name).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "cannot create \(temporary): \(String(cString: strerror(errno)))" }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress.map { $0 + written }, buffer.count - written)
            }
            guard count > 0 else { break }
            written += count
        }
        let synced = written == bytes.count && fsync(fd) == 0 && fchmod(fd, mode) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return "cannot write \(path): \(reason)"
        }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
        return nil
    }
}
