import AgentWire
import Foundation
import Testing
@testable import AgentHost

/// Real C functions in a real `.so`, called through libffi with JSON in and out.
@Suite struct FFIToolCallerTests {
    static let source = """
    #include <stdbool.h>
    #include <stdint.h>
    #include <stdlib.h>
    #include <string.h>
    static int frees;
    int32_t t_negate(int32_t x) { return -x; }
    int64_t t_twice(int64_t x) { return 2 * x; }
    bool t_not(bool b) { return !b; }
    double t_scale(double x, int32_t by, bool negate) { return negate ? -x * by : x * by; }
    const char *t_static(bool null) { return null ? NULL : "static text"; }
    char *t_concat(const char *a, const char *b) {
        char *r = malloc(strlen(a) + strlen(b) + 1);
        strcpy(r, a);
        strcat(r, b);
        return r;
    }
    void t_free(char *p) { frees++; free(p); }
    int32_t t_frees(void) { return frees; }
    void t_nothing(void) { }
    double t_nan(void) { return 0.0 / 0.0; }
    int64_t t_big(void) { return INT64_MAX; }
    int t_data = 1;
    """

    static func tool(_ name: String, _ params: [(String, String)], returns: String, free: String? = nil) -> ToolSpec {
        ToolSpec(name: name, description: name, inputSchema: .null, cFunction: CFunctionSpec(
            symbol: "t_\(name)", params: params.map { CParameterSpec(name: $0.0, type: $0.1) }, returns: returns, free: free
        ))
    }

    static func manifest(_ tools: [ToolSpec]) -> PluginManifest {
        PluginManifest(version: "1", toolchain: "cc", agents: [AgentManifest(id: "a", tools: tools)], language: "c")
    }

    static func bind(_ library: TestCLibrary, _ tools: [ToolSpec]) throws(CToolSignatureError) -> CToolTable {
        try CToolTable.bind(manifest: manifest(tools), image: ELFImage(bytes: library.bytes)) { library.symbol($0) }
    }

    @Test func everySupportedTypeCrossesBothWays() throws {
        let library = try TestCLibrary(source: Self.source)
        let table = try Self.bind(library, [
            Self.tool("negate", [("x", "int32")], returns: "int32"),
            Self.tool("twice", [("x", "int64")], returns: "int64"),
            Self.tool("not", [("b", "bool")], returns: "bool"),
            Self.tool("scale", [("x", "double"), ("by", "int32"), ("negate", "bool")], returns: "double"),
            Self.tool("static", [("null", "bool")], returns: "const char*"),
            Self.tool("concat", [("a", "const char*"), ("b", "const char*")], returns: "char*", free: "t_free"),
            Self.tool("frees", [], returns: "int32"),
            Self.tool("nothing", [], returns: "void"),
            Self.tool("nan", [], returns: "double"),
            Self.tool("big", [], returns: "int64"),
        ])
        #expect(table.count == 10)
        func call(_ tool: String, _ input: JSONValue) throws -> Result<JSONValue, CToolCallError> {
            try #require(table.caller(agent: "a", tool: tool)).call(input)
        }
        #expect(try call("negate", ["x": 2_147_483_647]) == .success(-2_147_483_647))
        #expect(try call("twice", ["x": -4_000_000_000]) == .success(-8_000_000_000))
        #expect(try call("not", ["b": false]) == .success(true))
        #expect(try call("not", ["b": true]) == .success(false))
        #expect(try call("scale", ["x": 1.5, "by": 3, "negate": true]) == .success(-4.5))
        #expect(try call("static", ["null": false]) == .success("static text"))
        #expect(try call("static", ["null": true]) == .success(.null))
        #expect(try call("concat", ["a": "héllo ", "b": "wörld"]) == .success("héllo wörld"))
        #expect(try call("concat", ["a": "", "b": ""]) == .success(""))
        // Each owned result was released with the plugin's own free function.
        #expect(try call("frees", [:]) == .success(2))
        #expect(try call("nothing", .null) == .success(.null))
        #expect(try call("nan", [:]) == .failure(CToolCallError(message: "`nan` returned NaN, which JSON cannot carry")))
        #expect(try call("big", [:]) == .success("9223372036854775807"))
        #expect(try call("scale", ["x": 1, "by": 1.5, "negate": false])
            == .failure(CToolCallError(message: "argument `by` of `scale` must be an integer from -2147483648 to 2147483647, got the number 1.5")))
    }

    @Test func bindingRefusesWhatThePluginDoesNotDefineAsAFunction() throws {
        let library = try TestCLibrary(source: Self.source)
        func refusal(_ tool: ToolSpec) -> String? {
            do {
                _ = try Self.bind(library, [tool])
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal(Self.tool("missing", [], returns: "void")) == "C tool `missing`: symbol `t_missing` is not a function the plugin exports")
        #expect(refusal(Self.tool("data", [], returns: "int32")) == "C tool `data`: symbol `t_data` is not a function the plugin exports")
        // Resolvable through the handle (libc), but not the plugin's own: refused.
        let libc = ToolSpec(name: "strlen", description: "", inputSchema: .null, cFunction: CFunctionSpec(
            symbol: "strlen", params: [CParameterSpec(name: "s", type: "const char*")], returns: "int64"
        ))
        #expect(library.symbol("strlen") != nil)
        #expect(refusal(libc) == "C tool `strlen`: symbol `strlen` is not a function the plugin exports")
        #expect(refusal(Self.tool("concat", [("a", "const char*"), ("b", "const char*")], returns: "char*", free: "free"))
            == "C tool `concat`: free function `free` is not a function the plugin exports")
        #expect(refusal(Self.tool("negate", [("x", "int32")], returns: "int32")) == nil)
    }

    @Test func callsRunOffTheCooperativePool() async throws {
        let library = try TestCLibrary(source: Self.source)
        let table = try Self.bind(library, [Self.tool("scale", [("x", "double"), ("by", "int32"), ("negate", "bool")], returns: "double")])
        let caller = try #require(table.caller(agent: "a", tool: "scale"))
        let results = await withTaskGroup(of: Result<JSONValue, CToolCallError>.self) { group in
            for index in 0..<50 {
                group.addTask { await caller.callBlocking(["x": .number(Double(index)), "by": 2, "negate": false]) }
            }
            var all: [Result<JSONValue, CToolCallError>] = []
            for await result in group { all.append(result) }
            return all
        }
        let outputs = results.compactMap { try? $0.get().doubleValue }.sorted()
        #expect(outputs == (0..<50).map { Double($0 * 2) })
    }
}
