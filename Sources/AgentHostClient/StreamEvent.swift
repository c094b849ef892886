import AgentWire

/// One record of a session's output stream: its seq and its chunk.
public struct StreamEvent: Sendable, Hashable {
    /// The record's seq; resume after it with `Last-Event-ID`.
    public var id: Int64
    /// The chunk's JSON text as the daemon sent it.
    public var data: String

    /// - Parameters:
    ///   - id: The record's seq.
    ///   - data: The chunk's JSON text.
    public init(id: Int64, data: String) {
        self.id = id
        self.data = data
    }

    /// The chunk as JSON, decoded on each access (a reader that only counts events pays nothing).
    public var json: JSONValue? { try? WireCoding.decode(JSONValue.self, from: data) }

    /// The chunk, decoded on each access; nil for a chunk outside the vocabulary.
    public var chunk: UIChunk? { json.flatMap(UIChunk.init(json:)) }

    /// The control part this record carries (turn start, turn complete, …), if any.
    ///
    /// Cheap for every other record, so a reader that only watches for turn
    /// boundaries can afford it on each event: every control part names its
    /// turn's `inSeq`, so a text without that key is not one and is never
    /// decoded. (A chunk that mentions the key elsewhere, in a tool input say,
    /// is decoded and read properly.)
    public var control: ControlPart? {
        guard data.utf8.contains(Self.inSeqKey) else { return nil }
        return chunk?.control
    }

    /// The fresh token of an in-band refresh (`data-token`, which the daemon sends
    /// only to this reader, right before a turn's end, when its token nears
    /// expiry); nil for any other event. It carries the seq of the record before it.
    public var refreshedToken: String? {
        guard data.utf8.contains(Self.tokenType), case .data("token", let data, _, _)? = chunk else { return nil }
        return data["token"]?.stringValue
    }

    /// `"data-token"`, as a JSON string.
    private static let tokenType = Array(#""data-token""#.utf8)

    /// `"inSeq"`, quoted as a JSON key: inside a JSON string its quotes would be escaped.
    private static let inSeqKey = Array(#""inSeq""#.utf8)
}

extension String.UTF8View {
    /// Whether `needle` occurs in these bytes.
    fileprivate func contains(_ needle: [UInt8]) -> Bool {
        // Native strings are contiguous: search the bytes in place.
        withContiguousStorageIfAvailable { $0.contains(needle) } ?? Array(self).withUnsafeBufferPointer { $0.contains(needle) }
    }
}

extension UnsafeBufferPointer<UInt8> {
    fileprivate func contains(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first, count >= needle.count else { return false }
        var index = 0
        while index <= count - needle.count {
            if self[index] == first, UnsafeBufferPointer(rebasing: self[index..<(index + needle.count)]).elementsEqual(needle) {
                return true
            }
            index += 1
        }
        return false
    }
}
