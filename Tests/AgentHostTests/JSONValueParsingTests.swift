import AgentWire
import Foundation
import Testing

/// The direct JSON parser reads what `JSONDecoder` reads, and refuses what it refuses.
@Suite struct JSONValueParsingTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONValue(parsing: Data(text.utf8))
    }

    @Test(arguments: [
        #"{"a":[1,-2.5,3e2,0,true,false,null],"b":{"c":"d"},"e":""}"#,
        #"  [ {"type":"text","text":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n\t"} ] "#,
        #""plain""#, "42", "-0.001", "1E-7", "[]", "{}", #"{"nested":[[[{"x":[]}]]]}"#,
        #""😀 ünïcödé, raw""#,
    ])
    func readsWhatJSONDecoderReads(text: String) throws {
        // Foundation's decoder, not `WireCoding` (which now reads JSONValue with this parser).
        #expect(try parse(text) == JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
    }

    @Test func wireCodingReadsJSONValuesWithIt() throws {
        #expect(throws: JSONValue.ParseError.self) { try WireCoding.decode(JSONValue.self, from: "[1,]") }
        #expect(try WireCoding.decode(JSONValue.self, from: #"{"a":[1]}"#) == ["a": [1]])
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, "01", "1.", "-", "+1", ".5", "1e", "tru", "nul", #""abc"#,
        "\"tab\there\"", #""\x""#, #""\ud83d""#, #""\ude00""#, "[1] 2", "{'a':1}", "NaN",
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try parse(text) }
    }

    @Test func refusesInvalidUTF8InStrings() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0x61, 0xC3, 0x22], [0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Data(bytes)) }
        }
        #expect((try? JSONValue(parsing: Data([0x22, 0xC3, 0xA9, 0x22]))) == "é")
    }

    @Test func refusesNestingDeeperThanItsLimit() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONValue.ParseError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try parse(fine) != .null)
    }

    @Test func readsBackWhatJSONTextWrites() throws {
        let value: JSONValue = ["s": "line\nbreak \"quoted\" \u{1F600}", "n": 1.5, "i": 12, "a": [true, nil, ["k": "v"]]]
        #expect(try parse(value.jsonText) == value)
    }

    // MARK: Messages left encoded

    /// A snapshot-shaped object: its messages are checked at once and built on `decode()`.
    private func snapshot(messages: String) -> Data {
        Data(#"{"before":{"k":[1,"x"]},"messages":\#(messages),"throughSeq":7}"#.utf8)
    }

    @Test(arguments: [
        #"[]"#,
        #"[{"id":"u1","role":"user","parts":[{"type":"text","text":"hello"}]}]"#,
        #"[{"parts":[],"role":"assistant","id":"a","metadata":{"usage":{"inputTokens":3}}},{"id":"b","role":"user","parts":[],"metadata":null}]"#,
        #"[ {"id":"caf\u00e9 \"q\"","role":"user","unknown":[{"x":1}],"parts":[{"type":"tool-add","input":{"a":[1.5,-2e3]},"output":null}]} ]"#,
        #"[{"id":"😀 ünïcödé","role":"user","parts":["a string part", 3, true]}]"#,
    ])
    func leavesMessagesEncodedAndDecodesThemAsCodableDoes(messages: String) throws {
        let (members, encoded) = try JSONValue.parseObject(snapshot(messages: messages), leavingEncoded: "messages")
        #expect(members == ["before": ["k": [1, "x"]], "throughSeq": 7])
        let expected = try JSONDecoder().decode([UIMessage].self, from: Data(messages.utf8))
        #expect(encoded?.count == expected.count)
        #expect(try encoded?.decode() == expected)
    }

    @Test func anObjectWithoutMessagesHasNone() throws {
        let (members, encoded) = try JSONValue.parseObject(Data(#"{"a":1}"#.utf8), leavingEncoded: "messages")
        #expect(members == ["a": 1] && encoded == nil)
    }

    /// Checking refuses, at once, what building would: bad JSON anywhere in the messages…
    @Test(arguments: [
        #"[{"id":"u","role":"user","parts":[1,]}]"#, #"[{"id":"u","role":"user","parts":["\x"]}]"#,
        "[{\"id\":\"u\",\"role\":\"user\",\"parts\":[\"tab\there\"]}]", #"[{"id":"u","role":"user","parts":[01]}]"#,
        #"[{"id":"u","role":"user","parts":[{"a":tru}]}]"#, #"[{"id":"u","role":"user","parts":["\ud83d"]}]"#,
        #"[{"id":"u","role":"user","parts":[],"metadata":{"a"}}]"#, #"[{"id":"u","role":"user","parts":[]},]"#,
        #"[{"id":"u","role":"user","parts":[]}"#,
    ])
    func checkingRefusesBadJSONInMessages(messages: String) {
        #expect(throws: JSONValue.ParseError.self) {
            try JSONValue.parseObject(snapshot(messages: messages), leavingEncoded: "messages")
        }
    }

    /// …and messages that `UIMessage`'s `Codable` form does not read either.
    @Test(arguments: [
        #"[{"role":"user","parts":[]}]"#, #"[{"id":"u","parts":[]}]"#, #"[{"id":"u","role":"user"}]"#,
        #"[{"id":1,"role":"user","parts":[]}]"#, #"[{"id":"u","role":null,"parts":[]}]"#,
        #"[{"id":"u","role":"user","parts":{}}]"#, #"["not a message"]"#, #"{"id":"u"}"#,
    ])
    func checkingRefusesWhatCodableDoesNotReadAsMessages(messages: String) {
        #expect(throws: JSONValue.ParseError.self) {
            try JSONValue.parseObject(snapshot(messages: messages), leavingEncoded: "messages")
        }
        #expect(throws: (any Error).self) { try JSONDecoder().decode([UIMessage].self, from: Data(messages.utf8)) }
    }

    @Test func checkingRefusesInvalidUTF8InAMessage() throws {
        let head = Array(#"{"messages":[{"id":""#.utf8), tail = Array(#"","role":"user","parts":[]}]}"#.utf8)
        #expect(throws: JSONValue.ParseError.self) {
            try JSONValue.parseObject(Data(head + [0x61, 0xC3] + tail), leavingEncoded: "messages")
        }
        let accented = try JSONValue.parseObject(Data(head + [0xC3, 0xA9] + tail), leavingEncoded: "messages")
        #expect(try accented.messages?.decode().first?.id == "é")
    }

    /// Strings are scanned eight bytes at a time: a quote, a backslash, a line
    /// feed, an escape or a non-ASCII character at every offset of strings of
    /// every length around a word reads as `JSONDecoder` reads it, and a raw
    /// control character is refused wherever it stands.
    @Test func readsEverySpecialByteAtEveryOffsetOfAWord() throws {
        for length in 1..<20 {
            for offset in 0..<length {
                for special in [#"\""#, #"\\"#, #"\n"#, "é", "😀", #"\u0041"#] {
                    var text = String(repeating: "a", count: length)
                    let at = text.index(text.startIndex, offsetBy: offset)
                    text.replaceSubrange(at...at, with: special)
                    let json = #"["\#(text)",{"\#(text)":"\#(text)"}]"#
                    #expect(try parse(json) == JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), "\(json)")
                    let message = #"[{"id":"\#(text)","role":"user","parts":["\#(text)"]}]"#
                    let encoded = try JSONValue.parseObject(snapshot(messages: message), leavingEncoded: "messages").messages
                    #expect(try encoded?.decode() == JSONDecoder().decode([UIMessage].self, from: Data(message.utf8)), "\(message)")
                }
                var raw = Array(String(repeating: "a", count: length).utf8)
                raw[offset] = 0x0A
                #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Data([0x22] + raw + [0x22])) }
                #expect(throws: JSONValue.ParseError.self) {
                    let id = String(decoding: raw, as: UTF8.self)
                    try JSONValue.parseObject(self.snapshot(messages: #"[{"id":"\#(id)","role":"user","parts":[]}]"#), leavingEncoded: "messages")
                }
            }
        }
    }
}
