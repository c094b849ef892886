import AgentWire
import Foundation

extension ModelContentPart {
    /// The parts of a tool output that carries files: the AI SDK's content
    /// output, `{"type": "content", "value": [...]}`, whose items are
    /// `{"type": "text", "text"}`, `{"type": "media" | "image-data" | "file-data",
    /// "data": <base64>, "mediaType", "filename"?}` or `{"type": "image-url" |
    /// "file-url", "url", "mediaType"?}`. Nil for any other output, which goes
    /// to the model as text (`ToolOutputText.render`).
    ///
    /// - Parameters:
    ///   - output: A tool's output.
    static func toolOutput(_ output: JSONValue) -> [ModelContentPart]? {
        guard output["type"]?.stringValue == "content", let items = output["value"]?.arrayValue else { return nil }
        var parts: [ModelContentPart] = []
        for item in items {
            switch item["type"]?.stringValue {
            case "text":
                parts.append(.text(item["text"]?.stringValue ?? ""))
            case "media", "image-data", "file-data":
                guard let data = item["data"]?.stringValue, let mediaType = item["mediaType"]?.stringValue else { return nil }
                // Bytes that are not base64 reach the provider as a URL it cannot fetch: an error that names the file.
                var source = ModelFile.Source.url(data)
                if let bytes = Data(base64Encoded: data) { source = .bytes(bytes) }
                parts.append(.file(ModelFile(mediaType: mediaType, filename: item["filename"]?.stringValue, source: source)))
            case "image-url", "file-url":
                guard let url = item["url"]?.stringValue else { return nil }
                let fallback = item["type"]?.stringValue == "image-url" ? "image/*" : "application/octet-stream"
                let part = UIMessage.FilePart(mediaType: item["mediaType"]?.stringValue ?? fallback, url: url)
                parts.append(.file(ModelFile(part)))
            default:
                return nil
            }
        }
        return parts
    }
}
