import AgentWire
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import AgentHost

/// `POST/GET /realtime/v1/sessions/{chatId}/files` on the real router in-process:
/// what is stored and served back, what is refused (and then nothing is stored),
/// and who may read a session's files.
@Suite struct HTTPFileRouteTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: UInt8(7), count: 200))

    /// Every file the store holds, under any session: a refusal must leave this empty.
    static func storedFiles(_ directory: URL) -> [String] {
        let root = directory.appendingPathComponent("files")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { ($0 as? URL).flatMap { (try? $0.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true ? $0.lastPathComponent : nil } }
    }

    func upload(
        _ client: some TestClientProtocol, chat: String = "chat-a", token: String?, bytes: Data,
        type: String?, query: String = "", headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let type { headers[.contentType] = type }
        return try await client.execute(
            uri: "/realtime/v1/sessions/\(chat)/files\(query)", method: .post, headers: headers, body: ByteBuffer(bytes: bytes)
        )
    }

    @Test func anUploadIsStoredContentAddressedAndServedBackToItsReaders() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        let directory = fixture.directory
        try await fixture.addSession("chat-a")
        let writer = try await fixture.token(read: ["chat-a"], write: ["chat-a"])
        let reader = try await fixture.token(read: ["chat-a"])
        try await fixture.application.test(.router) { client in
            let response = try await upload(client, token: writer, bytes: Self.png, type: "image/png", query: "?filename=photo%20one.png")
            #expect(response.status == .created)
            let digest = Self.png.sha256Hex
            let stored = try WireCoding.decode(StoredFile.self, from: Data(buffer: response.body))
            #expect(stored == StoredFile(chatId: "chat-a", mediaType: "image/png", size: Self.png.count, sha256: digest, filename: "photo one.png"))
            #expect(stored.url == "/realtime/v1/sessions/chat-a/files/\(digest)")
            // On disk: the bytes under their hash, in the session's folder.
            let onDisk = directory.appendingPathComponent("files/chat-a/\(digest)")
            #expect(try Data(contentsOf: onDisk) == Self.png)

            let served = try await client.send(.get, stored.url, token: reader)
            #expect(served.status == .ok)
            #expect(Data(buffer: served.body) == Self.png)
            #expect(served.headers[.contentType] == "image/png")
            #expect(served.headers[.xContentTypeOptions] == "nosniff")
            #expect(served.headers[.contentDisposition] == "inline; filename*=UTF-8''photo%20one.png")

            // The same bytes again: the same address, one copy.
            let again = try await upload(client, token: writer, bytes: Self.png, type: "image/png")
            #expect(again.status == .created)
            #expect(Self.storedFiles(directory).sorted() == [digest, "\(digest).json"])
        }
    }

    @Test func aReaderWithoutThisSessionsTokenCannotFetchItsFiles() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.addSession("chat-a")
        try await fixture.addSession("chat-b")
        let writer = try await fixture.token(read: ["chat-a"], write: ["chat-a"])
        let otherSession = try await fixture.token(read: ["chat-b"], write: ["chat-b"])
        let reader = try await fixture.token(read: ["chat-a"])
        try await fixture.application.test(.router) { client in
            let stored = try WireCoding.decode(
                StoredFile.self,
                from: Data(buffer: try await upload(client, token: writer, bytes: Self.png, type: "image/png").body)
            )
            let anonymous = try await client.send(.get, stored.url)
            #expect(anonymous.status == .unauthorized)
            let foreign = try await client.send(.get, stored.url, token: otherSession)
            #expect(foreign.status == .forbidden)
            #expect(Data(buffer: foreign.body).range(of: Self.png) == nil)
            // chat-b's token on chat-b's path: chat-b has no such file.
            let elsewhere = try await client.send(.get, "/realtime/v1/sessions/chat-b/files/\(stored.sha256)", token: otherSession)
            #expect(elsewhere.status == .notFound)
            // A read-only token cannot upload; a garbage token cannot either.
            #expect(try await upload(client, token: reader, bytes: Self.png, type: "image/png").status == .forbidden)
            #expect(try await upload(client, token: "nope", bytes: Self.png, type: "image/png").status == .unauthorized)
        }
    }

    @Test func oversizeAndDisallowedUploadsAreRefusedAndNothingIsStored() async throws {
        let fixture = try await HTTPRouterFixture(uploads: UploadPolicy(maximumBytes: 100))
        defer { fixture.remove() }
        let directory = fixture.directory
        try await fixture.addSession("chat-a")
        let writer = try await fixture.token(read: ["chat-a"], write: ["chat-a"])
        try await fixture.application.test(.router) { client in
            // Content-Length says too much: refused before a byte is read.
            let declared = try await upload(
                client, token: writer, bytes: Self.png, type: "image/png", headers: [.contentLength: "\(Self.png.count)"]
            )
            #expect(declared.status == .contentTooLarge)
            #expect(declared.errorCode == "payload_too_large")
            #expect(declared.errorMessage?.contains("100 bytes") == true)
            // No Content-Length: refused while streaming, once past the limit.
            let streamed = try await upload(client, token: writer, bytes: Self.png, type: "image/png")
            #expect(streamed.status == .contentTooLarge)
            // Not on the allow-list, or no type at all.
            let zip = try await upload(client, token: writer, bytes: Data("PK".utf8), type: "application/zip")
            #expect(zip.status == .unsupportedMediaType)
            #expect(zip.errorCode == "unsupported_media_type")
            #expect(zip.errorMessage?.contains("application/zip") == true)
            #expect(zip.errorMessage?.contains("image/png") == true)
            let untyped = try await upload(client, token: writer, bytes: Data("hi".utf8), type: nil)
            #expect(untyped.status == .unsupportedMediaType)
            let empty = try await upload(client, token: writer, bytes: Data(), type: "text/plain")
            #expect(empty.status == .badRequest)
            #expect(Self.storedFiles(directory) == [])
            // Within the limit, with parameters on the type: stored as its base type.
            let small = try await upload(client, token: writer, bytes: Data("a,b\n1,2\n".utf8), type: "text/csv; charset=utf-8")
            #expect(small.status == .created)
            #expect(small.json?["mediaType"] as? String == "text/csv")
        }
    }

    @Test func uploadsNeedAnOpenSession() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        let directory = fixture.directory
        let secret = fixture.secretKey.value
        try await fixture.addSession("chat-c")
        try await fixture.storage.append([], statuses: [StatusChange(chatId: "chat-c", status: .closed)])
        try await fixture.application.test(.router) { client in
            let missing = try await upload(client, chat: "nobody", token: secret, bytes: Self.png, type: "image/png")
            #expect(missing.status == .notFound)
            let closed = try await upload(client, chat: "chat-c", token: secret, bytes: Self.png, type: "image/png")
            #expect(closed.status == .conflict)
            #expect(closed.errorCode == "session_closed")
        }
        #expect(Self.storedFiles(directory) == [])
    }

    @Test func aChatIdCannotNameAFolderOutsideItsOwn() {
        #expect(DirectoryFileStore.folderName("../../etc") == "%2E%2E%2F%2E%2E%2Fetc")
        #expect(DirectoryFileStore.folderName("chat-a_1") == "chat-a_1")
        #expect(DirectoryFileStore.folderName(String(repeating: "é", count: 100)).hasPrefix("h-"))
    }
}

extension Data {
    /// The lowercase hex SHA-256, computed here rather than by the code under test.
    var sha256Hex: String { SHA256.hash(data: self).map { String(format: "%02x", $0) }.joined() }
}
