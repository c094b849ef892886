import Foundation
import Logging

/// Which build the daemon is loading right now, kept on disk
/// (`<data>/load-journal.json`), so that a build that kills or hangs the daemon
/// inside `dlopen` or its entry function is not loaded again at the next start.
///
/// Before a build runs any code the journal records its file name and hash;
/// once the loader returns (loaded or refused) the record is cleared. An entry
/// still there when the daemon starts means the last process never came back
/// from that load: the build is *poisoned*, refused by hash with the date it
/// took the daemon down, across restarts, until a different build of that file
/// name reaches the loader.
///
/// A journal that cannot be written is logged and loading goes on: the journal
/// is a guard against crash loops, not a reason to refuse good builds.
struct LoadJournal: Sendable {
    /// One build, by drop-file name and content hash, and when it was (being) loaded.
    struct Entry: Codable, Sendable, Hashable {
        var file: String
        var sha256: String
        var at: Date
    }

    /// The journal file's shape.
    private struct Contents: Codable {
        /// The build being loaded; present in a file read at start-up only if that load never returned.
        var loading: Entry?
        /// Builds that killed or hung an earlier run while loading.
        var poisoned: [Entry] = []
    }

    static let fileName = "load-journal.json"

    /// nil: keep nothing on disk (a registry without a data directory).
    let path: String?
    private let logger: Logger
    private var contents = Contents()

    /// Reads what the last run left; a load that never returned becomes poisoned.
    /// - Parameters:
    ///   - path: the journal file, nil for none.
    ///   - logger: where unreadable or unwritable journals are reported.
    init(path: String?, logger: Logger) {
        self.path = path
        self.logger = logger
        guard let path, let data = FileManager.default.contents(atPath: path) else { return }
        do {
            contents = try Self.decoder.decode(Contents.self, from: data)
        } catch {
            // A damaged journal must not stop the daemon; it only loses its memory.
            logger.error("ignoring an unreadable plugin load journal", metadata: ["path": "\(path)", "error": "\(error)"])
            return
        }
        if let interrupted = contents.loading {
            contents.loading = nil
            contents.poisoned.removeAll { $0.sha256 == interrupted.sha256 }
            contents.poisoned.append(interrupted)
            logger.critical(
                "the last run died or hung while loading a plugin build; it will not be loaded again",
                metadata: ["file": "\(interrupted.file)", "sha256": "\(interrupted.sha256)", "at": "\(interrupted.at.formatted(.iso8601))"]
            )
            save()
        }
    }

    /// The builds refused because they took an earlier run down.
    var poisoned: [Entry] { contents.poisoned }

    /// Runs `load` for `file` with the journal recording it, unless the build
    /// took an earlier run down: then it is refused without running any of its code.
    /// - Parameters:
    ///   - file: the verified build about to be loaded.
    ///   - load: the load itself (`dlopen`, entry function, handshake).
    mutating func recording<T>(
        _ file: VerifiedPluginFile, _ load: () throws(PluginRefusal) -> T
    ) throws(PluginRefusal) -> T {
        try begin(file)
        defer { end() }
        return try load()
    }

    /// Records that `file` is about to be loaded; refuses it, without running
    /// any of its code, when it took an earlier run down. Call `end()` once the
    /// load returned, whatever it returned.
    /// - Parameters:
    ///   - file: the verified build about to be loaded.
    mutating func begin(_ file: VerifiedPluginFile) throws(PluginRefusal) {
        let name = (file.sourcePath as NSString).lastPathComponent
        if let poisoned = contents.poisoned.first(where: { $0.sha256 == file.sha256 }) {
            throw PluginRefusal(file: name, reason: Self.reason(poisoned), sha256: file.sha256)
        }
        // A different build of the same file name reached the loader: the
        // author has replaced the poisoned one, which stops being remembered.
        contents.poisoned.removeAll { $0.file == name }
        contents.loading = Entry(file: name, sha256: file.sha256, at: Date())
        save()
    }

    /// The load `begin` recorded returned.
    mutating func end() {
        contents.loading = nil
        save()
    }

    /// The refusal reason of a build that took an earlier run down.
    static func reason(_ entry: Entry) -> String {
        "killed or hung the daemon while loading at \(entry.at.formatted(.iso8601)); refused until a different build is dropped"
    }

    private func save() {
        guard let path else { return }
        do {
            let data = try Self.encoder.encode(contents)
            if let problem = DurableFile.write(Array(data), to: path, mode: 0o600) {
                logger.error("cannot write the plugin load journal", metadata: ["path": "\(path)", "error": "\(problem)"])
            }
        } catch {
            logger.error("cannot encode the plugin load journal", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
