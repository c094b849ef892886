import AgentWire
import Testing
@testable import AgentHost

/// JSON → C arguments and C results → JSON, without calling any C.
@Suite struct CValueConversionTests {
    static func signature(_ params: [(String, String)], returns: String = "void", free: String? = nil) throws -> CToolSignature {
        try CToolSignature(tool: "t", spec: CFunctionSpec(
            symbol: "t_fn", params: params.map { CParameterSpec(name: $0.0, type: $0.1) }, returns: returns, free: free
        ))
    }

    func failure(_ input: JSONValue, _ signature: CToolSignature) -> String? {
        do {
            _ = try CValueConversion.arguments(from: input, for: signature)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func argumentsComeInDeclarationOrderWithTheirCTypes() throws {
        let signature = try Self.signature([("s", "const char*"), ("i", "int32"), ("l", "int64"), ("d", "double"), ("b", "bool")])
        let arguments = try CValueConversion.arguments(
            from: ["b": true, "d": 3, "l": -9_007_199_254_740_992, "i": -2_147_483_648, "s": "héllo"], for: signature
        )
        #expect(arguments == [.string("héllo"), .int32(.min), .int64(-9_007_199_254_740_992), .double(3), .bool(true)])
        #expect(try CValueConversion.arguments(from: ["a": 2.5, "b": 3], for: Self.signature([("a", "double"), ("b", "double")]))
            == [.double(2.5), .double(3)])
        #expect(try CValueConversion.arguments(from: .null, for: Self.signature([])) == [])
    }

    @Test func wrongMissingOrExtraArgumentsAreClearErrors() throws {
        let add = try Self.signature([("a", "double"), ("b", "double")])
        #expect(failure(["a": "two", "b": 3], add) == "argument `a` of `t` must be a number, got a string")
        #expect(failure(["a": 1], add) == "`t` is missing argument `b` (double)")
        #expect(failure(["a": 1, "b": 2, "c": 3], add) == "`t` has no parameter `c`")
        #expect(failure([1, 2], add) == "`t` expects a JSON object of arguments, got an array")
        #expect(failure(["a": nil, "b": 2], add) == "argument `a` of `t` must be a number, got null")

        let int32 = try Self.signature([("n", "int32")])
        #expect(failure(["n": 1.5], int32) == "argument `n` of `t` must be an integer from -2147483648 to 2147483647, got the number 1.5")
        #expect(failure(["n": 2_147_483_648], int32) != nil)
        #expect(failure(["n": true], int32) == "argument `n` of `t` must be an integer from -2147483648 to 2147483647, got true")

        let int64 = try Self.signature([("n", "int64")])
        #expect(failure(["n": .number(1e300)], int64) != nil)
        #expect(failure(["n": .number(9_007_199_254_740_994)], int64) != nil)

        let flag = try Self.signature([("b", "bool")])
        #expect(failure(["b": 1], flag) == "argument `b` of `t` must be true or false, got the number 1")

        let text = try Self.signature([("s", "const char*")])
        #expect(failure(["s": "a\u{0}b"], text) == "argument `s` of `t` must be a string without NUL characters, got a string")
        #expect(failure(["s": ["x"]], text) == "argument `s` of `t` must be a string, got an array")
    }

    @Test func resultsBecomeJSON() throws {
        #expect(try CValueConversion.json(from: .double(5.5), tool: "t") == 5.5)
        #expect(try CValueConversion.json(from: .int32(-7), tool: "t") == -7)
        #expect(try CValueConversion.json(from: .int64(42), tool: "t") == 42)
        #expect(try CValueConversion.json(from: .int64(.max), tool: "t") == "9223372036854775807")
        #expect(try CValueConversion.json(from: .bool(false), tool: "t") == false)
        #expect(try CValueConversion.json(from: .string("ok"), tool: "t") == "ok")
        #expect(try CValueConversion.json(from: .string(nil), tool: "t") == .null)
        #expect(try CValueConversion.json(from: .void, tool: "t") == .null)
        #expect(throws: CToolCallError(message: "`t` returned NaN, which JSON cannot carry")) {
            try CValueConversion.json(from: .double(.nan), tool: "t")
        }
    }

    @Test func signaturesAreCheckedAtLoad() throws {
        func refusal(_ spec: CFunctionSpec) -> String? {
            do {
                _ = try CToolSignature(tool: "t", spec: spec)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal(CFunctionSpec(symbol: "f", params: [.init(name: "x", type: "float")], returns: "void"))
            == "C tool `t`: parameter `x` has unknown C type `float` (supported: `int32`, `int64`, `double`, `bool`, `const char*`)")
        #expect(refusal(CFunctionSpec(symbol: "f", params: [], returns: "long double"))
            == "C tool `t`: unknown C return type `long double` (supported: `void`, `int32`, `int64`, `double`, `bool`, `const char*`, `char*`)")
        #expect(refusal(CFunctionSpec(symbol: "f", params: [], returns: "char*"))
            == "C tool `t`: returns `char*` but names no `free` function")
        #expect(refusal(CFunctionSpec(symbol: "f", params: [], returns: "int32", free: "g"))
            == "C tool `t`: names a `free` function but returns `int32`, not an owned `char*`")
        #expect(refusal(CFunctionSpec(symbol: "f(); system", params: [], returns: "void"))
            == "C tool `t`: symbol `f(); system` is not a C identifier")
        #expect(refusal(CFunctionSpec(symbol: "f", params: [.init(name: "x", type: "int32"), .init(name: "x", type: "bool")], returns: "void"))
            == "C tool `t`: parameter `x` is declared twice")
        #expect(refusal(CFunctionSpec(symbol: "f", params: [], returns: "char*", free: "f_free")) == nil)
    }

    @Test func aManifestMayLeaveTheSchemaToTheCSignature() throws {
        let json = #"{"name":"add","description":"d","cFunction":{"symbol":"f","params":[{"name":"a","type":"double"},{"name":"n","type":"int32"}],"returns":"double"}}"#
        let tool = try WireCoding.decode(ToolSpec.self, from: json)
        #expect(tool.inputSchema == [
            "type": "object", "additionalProperties": false, "required": ["a", "n"],
            "properties": ["a": ["type": "number"], "n": ["type": "integer"]],
        ])
        // A Swift plugin's manifest (no cFunction) round-trips unchanged.
        let swiftTool = ToolSpec(name: "s", description: "d", inputSchema: ["type": "object"])
        #expect(try WireCoding.encodeString(swiftTool) == #"{"description":"d","inputSchema":{"type":"object"},"name":"s"}"#)
        #expect(throws: DecodingError.self) { try WireCoding.decode(ToolSpec.self, from: #"{"name":"x","description":"d"}"#) }
    }

    @Test func aModelStreamRequestMayLeaveOutMessagesAndTools() throws {
        let bare = try WireCoding.decode(ModelStreamRequest.self, from: #"{"maxSteps":5}"#)
        #expect(bare.inheritsMessages && bare.inheritsTools)
        let tool = ToolSpec(name: "t", description: "d", inputSchema: [:])
        let filled = bare.withTurnDefaults(agentTools: [tool])
        #expect(filled.tools == [tool])
        #expect(!filled.inheritsTools)
        // Left-out messages stay left out: the router hands the step loop the turn's conversation.
        #expect(filled.inheritsMessages && filled.messages.isEmpty)

        let explicit = ModelStreamRequest(model: nil, system: nil, messages: [], maxSteps: 1, tools: [])
        let decoded = try WireCoding.decode(ModelStreamRequest.self, from: try WireCoding.encodeString(explicit))
        #expect(!decoded.inheritsMessages && !decoded.inheritsTools)
        #expect(decoded.withTurnDefaults(agentTools: [tool]).tools.isEmpty)
    }
}
