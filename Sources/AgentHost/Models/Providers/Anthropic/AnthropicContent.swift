import AgentWire
import Foundation

/// A user message's parts as Messages API content blocks: `text`, `image`
/// (JPEG, PNG, GIF, WebP; base64 or URL source) and `document` (PDF, base64 or
/// URL source; text files as a `text` source, which Anthropic reads as plain text).
enum AnthropicContent {
    /// The block for one part; nil for empty text (Anthropic refuses empty text blocks).
    /// - Throws: `ModelProviderError.unsupportedInput` for a file Anthropic cannot take.
    static func block(_ part: ModelContentPart) throws -> JSONValue? {
        switch part {
        case .text(let text):
            return text.isEmpty ? nil : ["type": "text", "text": .string(text)]
        case .file(let file):
            return try block(file)
        }
    }

    private static func block(_ file: ModelFile) throws -> JSONValue {
        var block: [String: JSONValue]
        if file.isImage || file.isPDF {
            let source: JSONValue = if case .bytes(let data) = file.source {
                ["type": "base64", "media_type": .string(file.baseMediaType), "data": .string(data.base64EncodedString())]
            } else {
                ["type": "url", "url": .string(try file.remoteURL(for: "Anthropic"))]
            }
            block = ["type": file.isImage ? "image" : "document", "source": source]
        } else if file.isText {
            guard let text = file.text else {
                if case .stored = file.source { _ = try file.remoteURL(for: "Anthropic") }
                throw file.refusal(by: "Anthropic", "\(file.mediaType) by URL (`\(file.displayName)`): "
                    + "send the file's bytes (a data URL or an upload)")
            }
            block = ["type": "document", "source": ["type": "text", "media_type": "text/plain", "data": .string(text)]]
        } else {
            throw file.refusal(by: "Anthropic", "attachments of type \(file.mediaType) (`\(file.displayName)`): "
                + "it takes images (JPEG, PNG, GIF, WebP), PDF and text files")
        }
        // Anthropic shows a document's title to the model; images have none.
        if !file.isImage, let filename = file.filename { block["title"] = .string(filename) }
        return .object(block)
    }
}
