import AgentWire

/// One argument ready to hand to a C function.
enum CArgument: Sendable, Equatable {
    case int32(Int32)
    case int64(Int64)
    case double(Double)
    case bool(Bool)
    case string(String)
}

/// What a C function returned, already copied out of C memory.
enum CResult: Sendable, Equatable {
    case void
    case int32(Int32)
    case int64(Int64)
    case double(Double)
    case bool(Bool)
    /// `nil` for a NULL pointer.
    case string(String?)
}

/// Why a C tool call did not happen or its result cannot be reported; becomes
/// the text of the `tool-output-error` the model sees, so it says what to fix.
struct CToolCallError: Error, Sendable, Equatable, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// JSON ↔ C for C tools. The model's arguments are untrusted input: every
/// value is checked against the declared type here, before anything reaches C,
/// because a wrong C value is undefined behaviour, not an error.
enum CValueConversion {
    /// The largest magnitude a JSON number (a double) carries as an exact integer.
    static let maximumExactInteger = 9_007_199_254_740_992.0

    /// The model's JSON object → C arguments in declaration order.
    static func arguments(from input: JSONValue, for signature: CToolSignature) throws(CToolCallError) -> [CArgument] {
        let object: [String: JSONValue]
        switch input {
        case .object(let value): object = value
        case .null where signature.parameters.isEmpty: object = [:]
        default: throw CToolCallError(message: "`\(signature.tool)` expects a JSON object of arguments, got \(describe(input))")
        }
        let declared = Set(signature.parameters.map(\.name))
        if let unexpected = object.keys.sorted().first(where: { !declared.contains($0) }) {
            throw CToolCallError(message: "`\(signature.tool)` has no parameter `\(unexpected)`")
        }
        var arguments: [CArgument] = []
        for parameter in signature.parameters {
            guard let value = object[parameter.name] else {
                throw CToolCallError(message: "`\(signature.tool)` is missing argument `\(parameter.name)` (\(parameter.type.rawValue))")
            }
            arguments.append(try argument(value, for: parameter, tool: signature.tool))
        }
        return arguments
    }

    static func argument(
        _ value: JSONValue, for parameter: CToolSignature.Parameter, tool: String
    ) throws(CToolCallError) -> CArgument {
        func mismatch(_ expected: String) -> CToolCallError {
            CToolCallError(message: "argument `\(parameter.name)` of `\(tool)` must be \(expected), got \(describe(value))")
        }
        switch parameter.type {
        case .double:
            guard case .number(let number) = value, number.isFinite else { throw mismatch("a number") }
            return .double(number)
        case .int32:
            guard case .number(let number) = value, number.rounded() == number,
                  let integer = Int32(exactly: number) else { throw mismatch("an integer from \(Int32.min) to \(Int32.max)") }
            return .int32(integer)
        case .int64:
            guard case .number(let number) = value, number.rounded() == number,
                  abs(number) <= maximumExactInteger, let integer = Int64(exactly: number)
            else { throw mismatch("an integer of magnitude at most 2^53") }
            return .int64(integer)
        case .bool:
            guard case .bool(let flag) = value else { throw mismatch("true or false") }
            return .bool(flag)
        case .cString:
            guard case .string(let text) = value else { throw mismatch("a string") }
            guard !text.utf8.contains(0) else { throw mismatch("a string without NUL characters") }
            return .string(text)
        }
    }

    /// A C result → the JSON the model sees.
    static func json(from result: CResult, tool: String) throws(CToolCallError) -> JSONValue {
        switch result {
        case .void: return .null
        case .int32(let value): return .number(Double(value))
        case .int64(let value):
            // Beyond 2^53 a JSON number would silently change the value; the digits do not.
            return abs(Double(value)) <= maximumExactInteger ? .number(Double(value)) : .string(String(value))
        case .double(let value):
            guard value.isFinite else {
                throw CToolCallError(message: "`\(tool)` returned \(value.isNaN ? "NaN" : "\(value)"), which JSON cannot carry")
            }
            return .number(value)
        case .bool(let value): return .bool(value)
        case .string(let value): return value.map(JSONValue.string) ?? .null
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .number(let number): "the number \(number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number))"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
