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
        // Read-only once written: nothing may change a build's bytes after it is loaded.
        if let problem = DurableFile.write(file.bytes, to: destination, mode: 0o500) {
            throw PluginRefusal(file: file.name, reason: "cannot write store copy: \(problem)")
        }
        return destination
    }
}
