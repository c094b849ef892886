@testable import AgentHost
import Testing

/// The one SSE parser every provider shares: framing per the WHATWG event-stream rules.
@Suite struct ProviderSSEParserTests {
    private func parse(_ text: String, pieces: Int? = nil) throws -> [SSEEvent] {
        var parser = SSEParser()
        let bytes = Array(text.utf8)
        guard let pieces else { return try parser.feed(bytes) }
        var events: [SSEEvent] = []
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
        #expect(try parse(text) == [SSEEvent(event: "message_start", data: #"{"a":1}"#), SSEEvent(event: "ping", data: "{}")])
    }

    @Test func anySplitOfTheBytesGivesTheSameEvents() throws {
        // A multi-byte character right at a split point must survive.
        let text = "data: {\"text\":\"Grüße 👋🏽\"}\n\ndata: [DONE]\n\n"
        let whole = try parse(text)
        #expect(whole == [SSEEvent(data: #"{"text":"Grüße 👋🏽"}"#), SSEEvent(data: "[DONE]")])
        for size in 1...7 {
            #expect(try parse(text, pieces: size) == whole)
        }
    }

    @Test func crlfAndCrLineEndsAndNoSpaceAfterTheColon() throws {
        #expect(try parse("event:a\r\ndata:1\r\n\r\nevent: b\rdata: 2\r\r") == [SSEEvent(event: "a", data: "1"), SSEEvent(event: "b", data: "2")])
        // `\r\n` split between two reads is still one line end.
        var parser = SSEParser()
        var events = try parser.feed(Array("data: x\r".utf8))
        events += try parser.feed(Array("\n\r\n".utf8))
        #expect(events == [SSEEvent(data: "x")])
    }

    @Test func multiLineDataJoinsWithNewlinesAndOnlyOneLeadingSpaceIsDropped() throws {
        #expect(try parse("data: one\ndata:  two\ndata\n\n") == [SSEEvent(data: "one\n two\n")])
    }

    @Test func eventsWithoutDataAndAnUnfinishedLastEventAreNotDispatched() throws {
        #expect(try parse("event: lonely\n\nid: 4\nretry: 10\n\ndata: cut off") == [])
    }

    @Test func aByteOrderMarkAtTheStartIsIgnored() throws {
        #expect(try parse("\u{FEFF}data: x\n\n") == [SSEEvent(data: "x")])
    }

    @Test func anEndlessLineIsRefused() throws {
        var parser = SSEParser()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        #expect(throws: SSEParser.LineTooLong.self) {
            for _ in 0...(SSEParser.maximumLineBytes >> 20) { _ = try parser.feed(chunk) }
        }
    }
}
