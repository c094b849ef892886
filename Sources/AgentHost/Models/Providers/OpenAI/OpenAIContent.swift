import AgentWire
import Foundation

/// A user message's parts as Chat Completions content parts: `text`,
/// `image_url` (JPEG, PNG, GIF, WebP; a data URL or an http(s) URL) and `file`
/// (PDF only, as base64 `file_data`). Text files, for which Chat Completions has
/// no part, go as a `text` part that frames the file's text with its name.
enum OpenAIContent {
    /// `content` of a user message: a plain string for a text-only message (as
    /// it always was), else the array of parts.
    /// - Throws: `ModelProviderError.unsupportedInput` for a file the API cannot take.
    static func userContent(_ parts: [ModelContentPart]) throws -> JSONValue {
        if parts.count == 1, case .text(let text) = parts[0] { return .string(text) }
        return .array(try parts.compactMap(part))
    }

    /// A tool result's parts split for a tool message, which holds text only:
    /// its text (each file named in it) and the files' parts for a user message after it.
    static func toolResult(_ parts: [ModelContentPart], callId: String) throws -> (text: String, files: [JSONValue]) {
        var text = ""
        var files: [JSONValue] = []
        for part in parts {
            switch part {
            case .text(let value):
                text += value
            case .file(let file) where file.isText:
                text += try framed(file)
            case .file(let file):
                guard let converted = try self.part(part) else { continue }
                text += "\n[\(file.displayName) is attached in the next message]"
                files.append(["type": "text", "text": .string("\(file.displayName), returned by tool call \(callId):")])
                files.append(converted)
            }
        }
        return (text, files)
    }

    private static func part(_ part: ModelContentPart) throws -> JSONValue? {
        switch part {
        case .text(let text):
            return text.isEmpty ? nil : ["type": "text", "text": .string(text)]
        case .file(let file) where file.isImage:
            let url: String = if case .bytes(let data) = file.source {
                DataURL.base64(mediaType: file.baseMediaType, bytes: data)
            } else {
                try file.remoteURL(for: "OpenAI")
            }
            return ["type": "image_url", "image_url": ["url": .string(url)]]
        case .file(let file) where file.isPDF:
            guard case .bytes(let data) = file.source else {
                _ = try file.remoteURL(for: "OpenAI")
                throw file.refusal(by: "OpenAI", "a PDF by URL (`\(file.displayName)`): Chat Completions takes "
                    + "PDF bytes only; send it as a data URL or an upload")
            }
            return [
                "type": "file",
                "file": [
                    "filename": .string(file.filename ?? "document.pdf"),
                    "file_data": .string(DataURL.base64(mediaType: "application/pdf", bytes: data)),
                ],
            ]
        case .file(let file) where file.isText:
            return ["type": "text", "text": .string(try framed(file))]
        case .file(let file):
            throw file.refusal(by: "OpenAI", "attachments of type \(file.mediaType) (`\(file.displayName)`): "
                + "Chat Completions takes images (JPEG, PNG, GIF, WebP), PDF and text files")
        }
    }

    /// A text file as text the model reads as one: its name, type and content, delimited.
    private static func framed(_ file: ModelFile) throws -> String {
        guard let text = file.text else {
            _ = try file.remoteURL(for: "OpenAI")
            throw file.refusal(by: "OpenAI", "\(file.mediaType) by URL (`\(file.displayName)`): "
                + "send the file's bytes (a data URL or an upload)")
        }
        return "<file name=\"\(file.displayName)\" type=\"\(file.baseMediaType)\">\n\(text)\n</file>"
    }
}
