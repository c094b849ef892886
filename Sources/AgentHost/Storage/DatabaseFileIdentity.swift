#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The database file the daemon opened, by device and inode.
///
/// SQLite keeps writing to a file whose directory was deleted (the open
/// descriptor outlives the name), and to the old file when another one was
/// moved to its path: every write would be acknowledged and lost at the next
/// start. One `stat` of the path before each commit tells: the same device
/// and inode, or a problem.
struct DatabaseFileIdentity: Sendable, Hashable {
    let path: String
    let device: UInt64
    let inode: UInt64

    /// The identity of the file at `path` now; nil when there is none.
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.path = path
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// Whether the file at the path is still the one opened; why not, when it is not.
    func problem() -> StorageProblem? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            return StorageProblem(
                .fileMissing,
                "the database file \(path) is gone (\(reason)); was the data directory deleted? Writes are refused: "
                    + "restore the data directory and restart the daemon"
            )
        }
        guard UInt64(status.st_dev) == device, UInt64(status.st_ino) == inode else {
            return StorageProblem(
                .fileReplaced,
                "the database file \(path) was replaced by another file while the daemon ran; writes are refused: restart the daemon"
            )
        }
        return nil
    }
}
