import AgentWire
import Foundation
import Testing
@testable import AgentHost
#if canImport(Glibc)
import Glibc
#endif

/// What calling a C tool through libffi costs next to calling it directly.
/// Prints numbers and asserts only results, never times: run it with
/// `swift test --filter FFIBenchmark` (add `-c release` for optimised numbers).
@Suite struct FFIBenchmarkTests {
    static func measure(_ label: String, iterations: Int, _ body: () throws -> Double) rethrows -> Double {
        var sink = 0.0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<iterations { sink += try body() }
        }
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        print("ffi-bench \(label): \(String(format: "%.1f", nanoseconds / Double(iterations))) ns/call (\(iterations) calls)")
        return sink
    }

    @Test func ffiCallOverheadAgainstADirectCall() async throws {
        let path = TestCLibrary.binDirectory.appendingPathComponent("libCTools.so").path
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let handle = try #require(dlopen(path, RTLD_NOW | RTLD_LOCAL))
        let addAddress = try #require(dlsym(handle, "ctools_add"))
        let wordCountAddress = try #require(dlsym(handle, "ctools_word_count"))
        let manifest = PluginManifest(version: "1", toolchain: "-", agents: [AgentManifest(id: "c-tools", tools: [
            ToolSpec(name: "add", description: "", inputSchema: .null, cFunction: CFunctionSpec(
                symbol: "ctools_add", params: [.init(name: "a", type: "double"), .init(name: "b", type: "double")], returns: "double")),
            ToolSpec(name: "word_count", description: "", inputSchema: .null, cFunction: CFunctionSpec(
                symbol: "ctools_word_count", params: [.init(name: "text", type: "const char*")], returns: "int64")),
        ])], language: "c")
        let table = try CToolTable.bind(manifest: manifest, image: ELFImage(bytes: bytes)) { dlsym(handle, $0) }
        let add = try #require(table.caller(agent: "c-tools", tool: "add"))
        let wordCount = try #require(table.caller(agent: "c-tools", tool: "word_count"))

        let directAdd = unsafeBitCast(addAddress, to: (@convention(c) (Double, Double) -> Double).self)
        let directWordCount = unsafeBitCast(wordCountAddress, to: (@convention(c) (UnsafePointer<CChar>?) -> Int64).self)
        let n = 200_000
        let direct = Self.measure("add direct call", iterations: n) { directAdd(2.5, 3) }
        // The libffi call alone: arguments already in C memory, as a C caller would have them.
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 16)
        defer { memory.deallocate() }
        let values = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: 2)
        defer { values.deallocate() }
        memory.storeBytes(of: 2.5, as: Double.self)
        memory.storeBytes(of: 3.0, toByteOffset: 8, as: Double.self)
        values[0] = memory
        values[1] = memory + 8
        let raw = Self.measure("add ffi_call alone (prepared cif)", iterations: n) {
            add.callPrepared(values, into: memory + 16)
            return memory.load(fromByteOffset: 16, as: Double.self)
        }
        let ffi = try Self.measure("add invoke (C values marshalled + ffi_call)", iterations: n) {
            guard case .double(let value) = try add.invoke([.double(2.5), .double(3)]) else { return 0 }
            return value
        }
        let json = try Self.measure("add JSON -> C -> ffi_call -> JSON", iterations: n) {
            try add.call(["a": 2.5, "b": 3]).get().doubleValue ?? 0
        }
        #expect(direct == 5.5 * Double(n) && raw == direct && ffi == direct && json == direct)

        let text = "the quick brown fox jumps over the lazy dog"
        let directWords = Self.measure("word_count direct call", iterations: n) {
            text.withCString { Double(directWordCount($0)) }
        }
        let jsonWords = try Self.measure("word_count JSON -> C -> ffi_call -> JSON", iterations: n) {
            try wordCount.call(["text": .string(text)]).get().doubleValue ?? 0
        }
        #expect(directWords == 9 * Double(n) && jsonWords == directWords)

        // What the step loop pays per tool call: the hop off the cooperative pool.
        let hops = 20_000
        let clock = ContinuousClock()
        var total = 0.0
        let elapsed = await clock.measure {
            for _ in 0..<hops { total += (try? await add.callBlocking(["a": 2.5, "b": 3]).get().doubleValue) ?? 0 }
        }
        let perCall = (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(hops)
        print("ffi-bench add via callBlocking (dispatch hop + JSON + ffi_call): \(String(format: "%.1f", perCall)) ns/call (\(hops) calls)")
        #expect(total == 5.5 * Double(hops))
    }
}
