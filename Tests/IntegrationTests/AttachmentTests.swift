import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

extension ChatSession {
    /// This chat's client, holding its session token.
    var tokenClient: AgentHostClient { client.using(token: token) }

    /// Sends a user message with these parts and returns the events of the turn it started.
    mutating func turn(parts: [JSONValue]) async throws -> [TestEvent] {
        let message = UIMessage(id: "user-\(UUID().uuidString.prefix(8))", role: "user", parts: parts)
        try await tokenClient.send(message: message, chatId: chatId, trigger: "submit-message")
        return try await nextTurn()
    }
}

/// Attachments end to end on the real daemon: data URLs and uploads reach the
/// (fake) providers in their own request shapes, reload shows them, and what a
/// provider cannot take, or a turn may not read, ends the turn with an error
/// that names it.
extension ProviderIntegration {
    @Suite struct AttachmentTests {
        static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".utf8)
        static var pngDataURL: String { DataURL.base64(mediaType: "image/png", bytes: png) }

        @Test func dataURLAndUploadedFilesReachAnthropicAsImageAndDocumentBlocks() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.anthropicText(["Two files."]))])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.anthropic(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "anthropic-files")
            let stored = try await chat.tokenClient.uploadFile(Self.pdf, mediaType: "application/pdf", filename: "report.pdf", chatId: chat.chatId)
            #expect(stored.url == "/realtime/v1/sessions/anthropic-files/files/\(stored.sha256)")

            let parts: [JSONValue] = [
                ["type": "file", "mediaType": "image/png", "filename": "photo.png", "url": .string(Self.pngDataURL)],
                ["type": "file", "mediaType": "application/pdf", "filename": "report.pdf", "url": .string(stored.url)],
                ["type": "text", "text": "What are these?"],
            ]
            let events = try await chat.turn(parts: parts)
            #expect(events.text == "Two files.")
            #expect(events.errorText == nil)
            let request = try #require(fake.requests.first)
            #expect(request.body["messages"] == [["role": "user", "content": [
                ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": .string(Self.png.base64EncodedString())]],
                ["type": "document", "title": "report.pdf",
                 "source": ["type": "base64", "media_type": "application/pdf", "data": .string(Self.pdf.base64EncodedString())]],
                ["type": "text", "text": "What are these?"],
            ]]])

            // Reload: the history holds the message's parts as sent, the daemon URL included.
            let history = try await chat.history()
            #expect(history.first?["parts"] == .array(parts))
        }

        @Test func dataURLAndUploadedFilesReachOpenAIAsImageURLFileAndTextParts() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.openAIText(["Seen."]))])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.openAI(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "openai-files")
            let image = try await chat.tokenClient.uploadFile(Self.png, mediaType: "image/png", filename: "photo.png", chatId: chat.chatId)
            let pdf = DataURL.base64(mediaType: "application/pdf", bytes: Self.pdf)
            let csv = "data:text/csv;base64," + Data("city,temp\nParis,21\n".utf8).base64EncodedString()

            let events = try await chat.turn(parts: [
                ["type": "text", "text": "Read all three."],
                ["type": "file", "mediaType": "image/png", "filename": "photo.png", "url": .string(image.url)],
                ["type": "file", "mediaType": "application/pdf", "filename": "report.pdf", "url": .string(pdf)],
                ["type": "file", "mediaType": "text/csv", "filename": "weather.csv", "url": .string(csv)],
            ])
            #expect(events.text == "Seen.")
            let request = try #require(fake.requests.first)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.body["messages"] == [["role": "user", "content": [
                ["type": "text", "text": "Read all three."],
                ["type": "image_url", "image_url": ["url": .string(Self.pngDataURL)]],
                ["type": "file", "file": ["filename": "report.pdf", "file_data": .string(pdf)]],
                ["type": "text", "text": "<file name=\"weather.csv\" type=\"text/csv\">\ncity,temp\nParis,21\n\n</file>"],
            ]]])
        }

        @Test func aMediaTypeTheProviderCannotTakeEndsTheTurnWithAnErrorNamingIt() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.anthropicText(["never"]))])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.anthropic(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "anthropic-audio")
            let events = try await chat.turn(parts: [
                ["type": "text", "text": "Transcribe this."],
                ["type": "file", "mediaType": "audio/wav", "filename": "voice.wav", "url": "data:audio/wav;base64,UklGRg=="],
            ])
            let error = try #require(events.errorText)
            #expect(error.contains("Anthropic cannot take attachments of type audio/wav (`voice.wav`)"), "\(error)")
            #expect(events.finishReason == "error")
            // Nothing was sent: the request would have dropped the file.
            #expect(fake.requests.isEmpty)
        }

        /// Offline, with the scripted model: an upload larger than the 1 MiB
        /// request limit reaches the model, the size limit is configurable, and
        /// a turn cannot read another session's file.
        @Test func uploadsPastTheRequestLimitReachTheScriptedModelAndStayInTheirSession() async throws {
            try await withDaemon(arguments: ["--max-upload-bytes", "2000000"]) { daemon, client in
                var chat = try await ChatSession(daemon: daemon, chatId: "scripted-files")
                let big = Data(count: 1_500_000)
                let stored = try await chat.tokenClient.uploadFile(big, mediaType: "image/png", filename: "big.png", chatId: chat.chatId)
                #expect(stored.size == 1_500_000)
                let events = try await chat.turn(parts: [
                    ["type": "file", "mediaType": "image/png", "filename": "big.png", "url": .string(stored.url)],
                    ["type": "file", "mediaType": "image/png", "filename": "photo.png", "url": .string(Self.pngDataURL)],
                ])
                #expect(events.text == "You sent: big.png (image/png, 1.4 MB), photo.png (image/png, 16 bytes)")
                #expect(try await chat.turn("hello").text == "You said: hello")

                // Past the configured limit: 413, by Content-Length, before the body is read.
                let refused = try await #require(throws: AgentHostClientError.self) {
                    try await chat.tokenClient.uploadFile(Data(count: 2_000_001), mediaType: "image/png", filename: nil, chatId: chat.chatId)
                }
                #expect(refused.status == 413)

                // Another session names this session's file: the turn fails, the file is not read.
                var other = try await ChatSession(daemon: daemon, chatId: "scripted-other")
                let stolen = try await other.turn(parts: [
                    ["type": "file", "mediaType": "image/png", "filename": "big.png", "url": .string(stored.url)],
                ])
                let error = try #require(stolen.errorText)
                #expect(error.contains("attachment `big.png` is a file of another session"), "\(error)")
                #expect(stolen.text.isEmpty)
                // And its token cannot fetch it either.
                let fetched = try await client.send(.GET, stored.url, token: other.token)
                #expect(fetched.status == 403)
            }
        }
    }
}
