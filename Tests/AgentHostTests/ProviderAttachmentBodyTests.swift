import AgentWire
import Foundation
@testable import AgentHost
import Testing

/// Attachments in the request bodies: each provider's own blocks for images,
/// PDFs and text files, in the order the user's message holds them, and a
/// clear refusal for what a provider cannot take.
@Suite struct ProviderAttachmentBodyTests {
    static let pngBytes = Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
    static let pdfBytes = Data("%PDF-1.4 test".utf8)
    static let png = ModelFile(mediaType: "image/png", filename: "photo.png", source: .bytes(pngBytes))
    static let pdf = ModelFile(mediaType: "application/pdf", filename: "report.pdf", source: .bytes(pdfBytes))
    static let csv = ModelFile(mediaType: "text/csv", filename: "table.csv", source: .bytes(Data("a,b\n1,2".utf8)))
    static let remoteImage = ModelFile(mediaType: "image/jpeg", source: .url("https://example.com/cat.jpg"))
    static let remotePDF = ModelFile(mediaType: "application/pdf", filename: "paper.pdf", source: .url("https://example.com/paper.pdf"))

    static func request(_ parts: [ModelContentPart]) -> ModelRequest {
        ModelRequest(system: nil, messages: [.user(parts: parts)], tools: [])
    }

    static func anthropic(_ request: ModelRequest) throws -> JSONValue {
        try AnthropicRequestBody.make(model: "m", request: request, options: .init(maxTokens: 10, thinkingBudget: nil))
    }

    static func openAI(_ request: ModelRequest) throws -> JSONValue {
        try OpenAIRequestBody.make(model: "m", request: request, maxTokens: nil)
    }

    @Test func anthropicGetsImageAndDocumentBlocksInOrder() throws {
        let body = try Self.anthropic(Self.request([
            .file(Self.png), .text("Compare these."), .file(Self.pdf), .file(Self.csv), .file(Self.remoteImage), .file(Self.remotePDF),
        ]))
        #expect(body["messages"] == [["role": "user", "content": [
            ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": .string(Self.pngBytes.base64EncodedString())]],
            ["type": "text", "text": "Compare these."],
            ["type": "document", "title": "report.pdf",
             "source": ["type": "base64", "media_type": "application/pdf", "data": .string(Self.pdfBytes.base64EncodedString())]],
            ["type": "document", "title": "table.csv", "source": ["type": "text", "media_type": "text/plain", "data": "a,b\n1,2"]],
            ["type": "image", "source": ["type": "url", "url": "https://example.com/cat.jpg"]],
            ["type": "document", "title": "paper.pdf", "source": ["type": "url", "url": "https://example.com/paper.pdf"]],
        ]]])
    }

    @Test func openAIGetsImageURLAndFileParts() throws {
        let body = try Self.openAI(Self.request([.text("Look:"), .file(Self.png), .file(Self.pdf), .file(Self.csv), .file(Self.remoteImage)]))
        #expect(body["messages"] == [["role": "user", "content": [
            ["type": "text", "text": "Look:"],
            ["type": "image_url", "image_url": ["url": .string("data:image/png;base64,\(Self.pngBytes.base64EncodedString())")]],
            ["type": "file", "file": ["filename": "report.pdf", "file_data": .string("data:application/pdf;base64,\(Self.pdfBytes.base64EncodedString())")]],
            ["type": "text", "text": "<file name=\"table.csv\" type=\"text/csv\">\na,b\n1,2\n</file>"],
            ["type": "image_url", "image_url": ["url": "https://example.com/cat.jpg"]],
        ]]])
        // A text-only message keeps its plain string content.
        #expect(try Self.openAI(Self.request([.text("hi")]))["messages"] == [["role": "user", "content": "hi"]])
    }

    @Test func aMediaTypeAProviderCannotTakeIsRefusedByName() throws {
        let wav = ModelFile(mediaType: "audio/wav", filename: "voice.wav", source: .bytes(Data([1, 2])))
        for (provider, make) in [("Anthropic", Self.anthropic), ("OpenAI", Self.openAI)] {
            let error = try #require(throws: ModelProviderError.self) { try make(Self.request([.text("listen"), .file(wav)])) }
            #expect(error.kind == .unsupportedInput)
            #expect(!error.isRetryable)
            #expect(error.description.hasPrefix("\(provider) cannot take attachments of type audio/wav (`voice.wav`)"), "\(error)")
        }
        // Chat Completions takes a PDF's bytes only, never its URL.
        let byURL = try #require(throws: ModelProviderError.self) { try Self.openAI(Self.request([.file(Self.remotePDF)])) }
        #expect(byURL.description.contains("a PDF by URL (`paper.pdf`)"))
        // A URL nobody can fetch (a browser's blob: URL) is named, not dropped.
        let blob = ModelFile(mediaType: "image/png", filename: "x.png", source: .url("blob:http://page/123"))
        let unfetchable = try #require(throws: ModelProviderError.self) { try Self.anthropic(Self.request([.file(blob)])) }
        #expect(unfetchable.description.contains("the URL of `x.png` (blob:http://page/123)"))
    }

    /// A tool that returns an image: Anthropic takes it inside the `tool_result`;
    /// Chat Completions cannot, so it follows the tool messages in a user message.
    @Test func toolResultsWithImagesGoBackAsEachProviderAllows() throws {
        let output: JSONValue = ["type": "content", "value": [
            ["type": "text", "text": "Here is the chart."],
            ["type": "image-data", "data": .string(Self.pngBytes.base64EncodedString()), "mediaType": "image/png"],
        ]]
        let request = ModelRequest(system: nil, messages: [
            .user("chart please"),
            .assistant(text: "", toolCalls: [ModelToolCall(id: "c1", name: "chart", input: [:]), ModelToolCall(id: "c2", name: "sum", input: [:])]),
            .toolResult(callId: "c1", name: "chart", output: output, isError: false),
            .toolResult(callId: "c2", name: "sum", output: 3, isError: false),
        ], tools: [])
        let anthropic = try Self.anthropic(request)
        #expect(anthropic["messages"]?.arrayValue?.last == ["role": "user", "content": [
            ["type": "tool_result", "tool_use_id": "c1", "content": [
                ["type": "text", "text": "Here is the chart."],
                ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": .string(Self.pngBytes.base64EncodedString())]],
            ]],
            ["type": "tool_result", "tool_use_id": "c2", "content": "3"],
        ]])
        let openAI = try Self.openAI(request)
        #expect(openAI["messages"]?.arrayValue?.suffix(3) == [
            ["role": "tool", "tool_call_id": "c1", "content": "Here is the chart.\n[image/png is attached in the next message]"],
            ["role": "tool", "tool_call_id": "c2", "content": "3"],
            ["role": "user", "content": [
                ["type": "text", "text": "image/png, returned by tool call c1:"],
                ["type": "image_url", "image_url": ["url": .string("data:image/png;base64,\(Self.pngBytes.base64EncodedString())")]],
            ]],
        ])
    }

    @Test func userMessagesKeepTheirFilePartsInOrder() {
        let daemonURL = "/realtime/v1/sessions/chat-1/files/" + String(repeating: "ab", count: 32)
        let message = UIMessage(id: "u1", role: "user", parts: [
            ["type": "text", "text": "first "],
            ["type": "text", "text": "line"],
            ["type": "file", "mediaType": "image/png", "filename": "a.png", "url": "data:image/png;base64,AQID"],
            ["type": "file", "mediaType": "application/pdf", "url": .string(daemonURL)],
            ["type": "file", "mediaType": "image/jpeg", "url": "https://example.com/c.jpg"],
            ["type": "text", "text": "after"],
        ])
        #expect(ModelMessage.from([message]) == [.user(parts: [
            .text("first line"),
            .file(ModelFile(mediaType: "image/png", filename: "a.png", source: .bytes(Data([1, 2, 3])))),
            .file(ModelFile(mediaType: "application/pdf", source: .stored(SessionFileURL(chatId: "chat-1", sha256: String(repeating: "ab", count: 32))))),
            .file(ModelFile(mediaType: "image/jpeg", source: .url("https://example.com/c.jpg"))),
            .text("after"),
        ])])
        // Text only: one text part, as before attachments existed.
        #expect(ModelMessage.from([.text("hello", role: "user", id: "u2")]) == [.user("hello")])
    }
}
