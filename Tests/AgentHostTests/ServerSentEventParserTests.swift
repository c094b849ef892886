import AgentWire
import Testing

/// The one SSE parser the providers and the daemon's clients share: framing per
/// the WHATWG event-stream rules.
@Suite struct ServerSentEventParserTests {
    private func parse(_ text: String, pieces: Int? = nil) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        let bytes = Array(text.utf8)
        guard let pieces else { return try parser.feed(bytes) }
        var events: [ServerSentEvent] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + pieces)
            events += try parser.feed(bytes[start..<end])
            start = end
        }
        return events
    }

    @Test func namedEventsAndDataLines() throws {
        let text = "event: message_start\ndata: {\"a\":1}\n\n: a comment\nevent: ping\ndata: {}\n\n"
        #expect(try parse(text) == [ServerSentEvent(event: "message_start", data: #"{"a":1}"#), ServerSentEvent(event: "ping", data: "{}")])
    }

    @Test func anySplitOfTheBytesGivesTheSameEvents() throws {
        // A multi-byte character right at a split point must survive.
        let text = "data: {\"text\":\"Grüße 👋🏽\"}\n\ndata: [DONE]\n\n"
        let whole = try parse(text)
        #expect(whole == [ServerSentEvent(data: #"{"text":"Grüße 👋🏽"}"#), ServerSentEvent(data: "[DONE]")])
        for size in 1...7 {
            #expect(try parse(text, pieces: size) == whole)
        }
    }

    @Test func crlfAndCrLineEndsAndNoSpaceAfterTheColon() throws {
        #expect(try parse("event:a\r\ndata:1\r\n\r\nevent: b\rdata: 2\r\r") == [ServerSentEvent(event: "a", data: "1"), ServerSentEvent(event: "b", data: "2")])
        // `\r\n` split between two reads is still one line end.
        var parser = ServerSentEventParser()
        var events = try parser.feed(Array("data: x\r".utf8))
        events += try parser.feed(Array("\n\r\n".utf8))
        #expect(events == [ServerSentEvent(data: "x")])
    }

    @Test func multiLineDataJoinsWithNewlinesAndOnlyOneLeadingSpaceIsDropped() throws {
        #expect(try parse("data: one\ndata:  two\ndata\n\n") == [ServerSentEvent(data: "one\n two\n")])
    }

    @Test func eventsWithoutDataAndAnUnfinishedLastEventAreNotDispatched() throws {
        #expect(try parse("event: lonely\n\nid: 4\nretry: 10\n\ndata: cut off") == [])
    }

    @Test func aByteOrderMarkAtTheStartIsIgnored() throws {
        #expect(try parse("\u{FEFF}data: x\n\n") == [ServerSentEvent(data: "x")])
    }

    @Test func theLastIdIsKeptOnEveryLaterEventAndCommentsAreSkipped() throws {
        let text = ": keep-alive\nid: 7\ndata: {\"a\":1}\n\n:\ndata: b\n\nid: 9\ndata: c\n\n"
        let expected = [
            ServerSentEvent(id: "7", data: #"{"a":1}"#), ServerSentEvent(id: "7", data: "b"), ServerSentEvent(id: "9", data: "c"),
        ]
        #expect(try parse(text) == expected)
        for size in 1...5 {
            #expect(try parse(text, pieces: size) == expected)
        }
    }

    @Test func anIdWithANullIsIgnoredAndAnEmptyDataLineStillDispatches() throws {
        #expect(try parse("id: 1\ndata: a\n\nid: 2\u{0}\ndata:\n\n") == [ServerSentEvent(id: "1", data: "a"), ServerSentEvent(id: "1", data: "")])
    }

    @Test func anEndlessLineIsRefused() throws {
        var parser = ServerSentEventParser()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        #expect(throws: ServerSentEventParser.LineTooLong.self) {
            for _ in 0...(ServerSentEventParser.maximumLineBytes >> 20) { _ = try parser.feed(chunk) }
        }
        // Also when the whole line comes in one read.
        var whole = ServerSentEventParser()
        #expect(throws: ServerSentEventParser.LineTooLong.self) {
            _ = try whole.feed([UInt8](repeating: UInt8(ascii: "a"), count: ServerSentEventParser.maximumLineBytes + 1) + [0x0A])
        }
    }
}
