import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The host-owned copies every plugin is loaded from: `store/<name>/<sha256>.so`.
///
/// glibc caches loaded objects by path and inode, and overwriting a loaded file
/// crashes the process (reference/plugins.md, rec. 3), so each build gets its
/// own immutable path, written once and never touched again.
struct PluginStore: Sendable {
    let directory: String

    func path(for file: VerifiedPluginFile) -> String {
        "\(directory)/\(file.name)/\(file.sha256).so"
    }

    /// Writes the verified bytes (never the drop file itself) and returns the path.
    func install(_ file: VerifiedPluginFile) throws(PluginRefusal) -> String {
        let destination = path(for: file)
        if FileManager.default.fileExists(atPath: destination) { return destination }
        let folder = (destination as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PluginRefusal(file: file.name, reason: "cannot create store folder: \(error)")
        }
        let temporary = "\(folder)/.\(file.sha256).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PluginRefusal(file: file.name, reason: "cannot write store copy: \(String(cString: strerror(errno)))")
        }
        var written = 0
        while written < file.bytes.count {
            let count = file.bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress.map { $0 + written }, buffer.count - written)
            }
            guard count > 0 else { break }
            written += count
        }
        let synced = fsync(fd) == 0 && fchmod(fd, 0o500) == 0
        close(fd)
        guard written == file.bytes.count, synced, rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw PluginRefusal(file: file.name, reason: "cannot write store copy")
        }
        return destination
    }
}
