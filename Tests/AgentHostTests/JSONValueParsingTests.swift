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
}
