import AgentWire
import CFFIShim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Calls one C tool through libffi. The call interface (`ffi_cif`) is prepared
/// once, when the plugin loads; each call converts the model's JSON to C
/// values, calls, and converts the result back to JSON.
///
/// `@unchecked Sendable`: everything stored is written once in `init` and only
/// read afterwards. `ffi_call` only reads a prepared cif, so concurrent calls
/// through one caller are safe; the function pointers point into a plugin image
/// that is never unloaded.
final class FFIToolCaller: @unchecked Sendable {
    let signature: CToolSignature
    private let cif: UnsafeMutablePointer<ffi_cif>
    /// Must outlive every use of `cif`, which points at it.
    private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    private let function: @convention(c) () -> Void
    private let freeFunction: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?

    /// Longest string a tool may return; a missing NUL in plugin memory must not
    /// turn into an unbounded read.
    static let maximumResultBytes = 16 << 20

    /// `function` and `free` are addresses in the plugin image (`dlsym`).
    init(signature: CToolSignature, function: UnsafeMutableRawPointer, free: UnsafeMutableRawPointer?) throws(CToolSignatureError) {
        guard (signature.returns == .ownedString) == (free != nil) else {
            throw CToolSignatureError(message: "C tool `\(signature.tool)`: free function given for a result that is not owned, or missing")
        }
        // Prepared in locals and freed here on failure: once every property is
        // set, a throwing init would release the object and run deinit too.
        let count = signature.parameters.count
        let argumentTypes = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: max(count, 1))
        for (index, parameter) in signature.parameters.enumerated() {
            argumentTypes[index] = Self.ffiType(parameter.type)
        }
        let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        cif.initialize(to: ffi_cif())
        let status = cffi_prep_cif(cif, UInt32(count), Self.ffiType(signature.returns), argumentTypes)
        guard status == FFI_OK else {
            cif.deallocate()
            argumentTypes.deallocate()
            throw CToolSignatureError(message: "C tool `\(signature.tool)`: libffi cannot prepare the call (status \(status.rawValue))")
        }
        self.signature = signature
        self.cif = cif
        self.argumentTypes = argumentTypes
        self.function = unsafeBitCast(function, to: (@convention(c) () -> Void).self)
        self.freeFunction = free.map { unsafeBitCast($0, to: (@convention(c) (UnsafeMutableRawPointer?) -> Void).self) }
    }

    deinit {
        cif.deallocate()
        argumentTypes.deallocate()
    }

    /// Runs the tool for the model's JSON input; failures are the text of a `tool-output-error`.
    func call(_ input: JSONValue) -> Result<JSONValue, CToolCallError> {
        do throws(CToolCallError) {
            let arguments = try CValueConversion.arguments(from: input, for: signature)
            let result = try invoke(arguments)
            return .success(try CValueConversion.json(from: result, tool: signature.tool))
        } catch {
            return .failure(error)
        }
    }

    /// The same, off Swift's cooperative pool: a C tool is a blocking call, and
    /// the pool has only one thread per core.
    func callBlocking(_ input: JSONValue) async -> Result<JSONValue, CToolCallError> {
        await PluginCalls.run { self.call(input) }
    }

    /// Calls with already converted arguments: marshals them into C memory, calls, reads the result.
    func invoke(_ arguments: [CArgument]) throws(CToolCallError) -> CResult {
        guard arguments.count == signature.parameters.count else {
            throw CToolCallError(message: "`\(signature.tool)` takes \(signature.parameters.count) arguments")
        }
        // C copies of string arguments, alive until the call returned.
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { for string in strings { free(string) } }
        for case .string(let text) in arguments {
            guard let copy = strdup(text) else { throw CToolCallError(message: "out of memory") }
            strings.append(copy)
        }
        // One 8-byte slot per argument, the pointers libffi reads them through,
        // and the result buffer: libffi's rule is that non-float results need at
        // least an ffi_arg-sized buffer.
        let count = arguments.count
        let slots = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 8 + 16, alignment: 16)
        defer { slots.deallocate() }
        let values = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(count, 1))
        defer { values.deallocate() }
        let returned = slots + max(count, 1) * 8
        var nextString = 0
        for index in 0..<count {
            let slot = slots + index * 8
            switch arguments[index] {
            case .int32(let value): slot.storeBytes(of: value, as: Int32.self)
            case .int64(let value): slot.storeBytes(of: value, as: Int64.self)
            case .double(let value): slot.storeBytes(of: value, as: Double.self)
            case .bool(let value): slot.storeBytes(of: value ? 1 : 0, as: UInt8.self)
            case .string:
                slot.storeBytes(of: UnsafePointer(strings[nextString]), as: UnsafePointer<CChar>.self)
                nextString += 1
            }
            values[index] = slot
        }
        returned.storeBytes(of: 0, as: UInt64.self)
        returned.storeBytes(of: 0, toByteOffset: 8, as: UInt64.self)
        callPrepared(values, into: returned)
        return try readResult(returned).get()
    }

    /// Just `ffi_call` through the prepared cif: `values` points at one C value
    /// per parameter, `returned` at 16 bytes for the result.
    func callPrepared(_ values: UnsafeMutablePointer<UnsafeMutableRawPointer?>, into returned: UnsafeMutableRawPointer) {
        ffi_call(cif, function, returned, values)
    }

    private func readResult(_ buffer: UnsafeMutableRawPointer) -> Result<CResult, CToolCallError> {
        let word = buffer.load(as: UInt64.self)
        switch signature.returns {
        case .void: return .success(.void)
        case .value(.int32): return .success(.int32(Int32(truncatingIfNeeded: word)))
        case .value(.int64): return .success(.int64(Int64(bitPattern: word)))
        case .value(.double): return .success(.double(buffer.load(as: Double.self)))
        case .value(.bool): return .success(.bool(UInt8(truncatingIfNeeded: word) != 0))
        case .value(.cString): return copyString(buffer.load(as: UnsafePointer<CChar>?.self))
        case .ownedString:
            let pointer = buffer.load(as: UnsafeMutablePointer<CChar>?.self)
            // Released with the plugin's own free function: whoever allocates also frees.
            defer { if let pointer { freeFunction?(pointer) } }
            return copyString(pointer.map { UnsafePointer($0) })
        }
    }

    private func copyString(_ pointer: UnsafePointer<CChar>?) -> Result<CResult, CToolCallError> {
        guard let pointer else { return .success(.string(nil)) }
        let length = strnlen(pointer, Self.maximumResultBytes + 1)
        guard length <= Self.maximumResultBytes else {
            return .failure(CToolCallError(message: "`\(signature.tool)` returned a string longer than \(Self.maximumResultBytes) bytes"))
        }
        let text = pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
        }
        return .success(.string(text))
    }

    private static func ffiType(_ type: CValueType) -> UnsafeMutablePointer<ffi_type>? {
        switch type {
        case .int32: cffi_type_sint32()
        case .int64: cffi_type_sint64()
        case .double: cffi_type_double()
        case .bool: cffi_type_uint8()
        case .cString: cffi_type_pointer()
        }
    }

    private static func ffiType(_ type: CReturnType) -> UnsafeMutablePointer<ffi_type>? {
        switch type {
        case .void: cffi_type_void()
        case .value(let value): ffiType(value)
        case .ownedString: cffi_type_pointer()
        }
    }
}
