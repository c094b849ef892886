import AgentWire
import Foundation

/// A session's latest message as an inbox shows it: who wrote it and the
/// start of its text. Read from the tail of the session's log, so it needs no
/// column of its own and is right for sessions that are not in memory.
public struct MessagePreview: Codable, Sendable, Hashable {
    /// `user` or `assistant`.
    public var role: String
    /// The message's text, whitespace folded, at most `maxCharacters` long
    /// (cut with `…`); for a message of files only, their names.
    public var text: String
    /// The seq of the log record the preview was read at.
    public var seq: Int64
    /// When that record was written.
    public var at: Date

    /// How long a preview's text may be.
    static let maxCharacters = 160
    /// Records read per page, walking back from the end of the log.
    static let pageSize: Int64 = 64
    /// How far back the walk goes before it gives up: a turn of many tool calls
    /// and no text has no preview rather than a slow list.
    static let maxRecords: Int64 = 256

    /// The latest user message or assistant text in `chatId`'s log, if one is
    /// within the last `maxRecords` records.
    /// - Parameters:
    ///   - chatId: The session.
    ///   - storage: Where its log is.
    static func latest(chatId: String, storage: any SessionStorage) async throws -> MessagePreview? {
        var upTo = try await storage.lastSeq(chatId: chatId)
        let floor = max(0, upTo - maxRecords)
        var text = TextTail()
        while upTo > floor {
            let after = max(floor, upTo - pageSize)
            let page = try await storage.records(chatId: chatId, after: after, upTo: upTo)
            for record in page.reversed() {
                if let preview = text.read(record) { return preview }
            }
            upTo = after
        }
        return text.preview(complete: false)
    }

    /// The walk back through the log: collects the deltas of the last text part
    /// until its `text-start`, or stops at the last user message.
    private struct TextTail {
        var id: String?
        var deltas: [String] = []
        var newest: LogRecord?

        /// The preview once `record` (the next older one) settles it; nil to read on.
        mutating func read(_ record: LogRecord) -> MessagePreview? {
            switch record.kind {
            case .input:
                guard id == nil, let input = try? WireCoding.decode(InputRecord.self, from: record.body), input.kind == .message,
                      let message = input.message, message.role == "user" else { return nil }
                let files = message.parts.compactMap { $0["type"] == "file" ? $0["filename"]?.stringValue ?? "file" : nil }
                let text = message.text.isEmpty ? files.joined(separator: ", ") : message.text
                return MessagePreview(role: "user", text: MessagePreview.folded(text, cut: false), seq: record.seq, at: record.createdAt)
            case .output:
                guard let body = try? WireCoding.decode(JSONValue.self, from: record.body), let chunk = UIChunk(json: body) else { return nil }
                switch chunk {
                case .textDelta(let partId, let delta) where id == nil || id == partId:
                    if id == nil { (id, newest) = (partId, record) }
                    deltas.append(delta)
                case .textStart(let partId) where partId == id:
                    return preview(complete: true)
                default:
                    break
                }
                return nil
            case .control, .state:
                return nil
            }
        }

        /// The assistant text collected so far; `complete` when its start was reached.
        func preview(complete: Bool) -> MessagePreview? {
            guard let newest else { return nil }
            let text = deltas.reversed().joined()
            return MessagePreview(role: "assistant", text: MessagePreview.folded(text, cut: !complete), seq: newest.seq, at: newest.createdAt)
        }
    }

    /// `text` on one line, at most `maxCharacters` long; `cut` marks a text whose start was not read.
    static func folded(_ text: String, cut: Bool) -> String {
        let line = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let start = cut ? "…" + line : line
        return start.count <= maxCharacters ? start : String(start.prefix(maxCharacters - 1)) + "…"
    }
}
