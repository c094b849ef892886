import AgentWire
import Crypto
import Foundation
import NIOCore

/// The files of every session in the data directory:
/// `<data>/files/<session>/<sha256>` holds the bytes, `<sha256>.json` beside it
/// the `StoredFile` (media type, name, size). `<session>` is the chat id with
/// every byte but `[A-Za-z0-9_-]` percent-escaped, so no id can name a path
/// outside its folder (an id whose escaped form is too long for a file name
/// gets `h-` and the SHA-256 of the id instead).
///
/// An upload streams into a temporary file under `<data>/files/.incoming`,
/// hashed as it goes, and is renamed into place only once complete and within
/// the limit: a refused or broken upload leaves nothing behind, and a reader
/// never sees half a file.
struct DirectoryFileStore: FileStore {
    let directory: URL

    /// - Parameters:
    ///   - directory: The folder that holds every session's files, e.g. `<data>/files`.
    init(directory: String) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
    }

    func store<Body: AsyncSequence & Sendable>(
        chatId: String, mediaType: String, filename: String?, body: Body, limit: Int
    ) async throws -> StoredFile where Body.Element == ByteBuffer {
        let fileManager = FileManager.default
        let incoming = directory.appendingPathComponent(".incoming", isDirectory: true)
        try fileManager.createDirectory(at: incoming, withIntermediateDirectories: true)
        let temporary = incoming.appendingPathComponent(UUID().uuidString)
        guard fileManager.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw AgentHostError.internalError("cannot create an upload file")
        }
        var kept = false
        defer { if !kept { try? fileManager.removeItem(at: temporary) } }
        let handle = try FileHandle(forWritingTo: temporary)
        var hasher = SHA256()
        var size = 0
        do {
            defer { try? handle.close() }
            for try await buffer in body {
                size += buffer.readableBytes
                guard size <= limit else { throw AgentHostError.payloadTooLarge(limit: limit) }
                try buffer.withUnsafeReadableBytes { bytes in
                    hasher.update(bufferPointer: bytes)
                    try handle.write(contentsOf: bytes)
                }
            }
            try handle.synchronize()
        }
        guard size > 0 else { throw AgentHostError.badRequest("the upload is empty: send the file's bytes as the body") }
        let sha256 = hasher.finalize().lowercaseHex
        let file = StoredFile(chatId: chatId, mediaType: mediaType, size: size, sha256: sha256, filename: filename)
        let folder = sessionFolder(chatId)
        try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
        let destination = folder.appendingPathComponent(sha256)
        // The same bytes again: one copy. `rename` replaces atomically either way.
        guard rename(temporary.path, destination.path) == 0 else {
            throw AgentHostError.internalError("cannot store an upload (errno \(errno))")
        }
        kept = true
        // The description goes last: a file is found only once its bytes are in place.
        try JSONEncoder().encode(file).write(to: folder.appendingPathComponent("\(sha256).json"), options: .atomic)
        return file
    }

    func file(chatId: String, sha256: String) async throws -> StoredFile? {
        guard SessionFileURL.isDigest(sha256) else { return nil }
        let path = sessionFolder(chatId).appendingPathComponent("\(sha256).json")
        guard let data = try? Data(contentsOf: path) else { return nil }
        return try JSONDecoder().decode(StoredFile.self, from: data)
    }

    func contents(chatId: String, sha256: String) async throws -> (file: StoredFile, bytes: [UInt8])? {
        guard let file = try await file(chatId: chatId, sha256: sha256) else { return nil }
        let data = try Data(contentsOf: sessionFolder(chatId).appendingPathComponent(sha256))
        return (file, [UInt8](data))
    }

    /// The folder of one session's files.
    func sessionFolder(_ chatId: String) -> URL {
        directory.appendingPathComponent(Self.folderName(chatId), isDirectory: true)
    }

    /// `chatId` as a single, harmless path component.
    static func folderName(_ chatId: String) -> String {
        var name = ""
        for byte in chatId.utf8 {
            let safe = (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == 45 || byte == 95
            name += safe ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }
        guard name.utf8.count > 200 else { return name }
        return "h-" + SHA256.hash(data: Data(chatId.utf8)).lowercaseHex
    }
}
