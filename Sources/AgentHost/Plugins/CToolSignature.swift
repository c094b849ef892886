import AgentWire

/// A C scalar the host can pass to a C tool.
enum CValueType: String, Sendable, CaseIterable {
    case int32
    case int64
    case double
    case bool
    /// A NUL-terminated UTF-8 string, borrowed by the function for the call.
    case cString = "const char*"
}

/// What a C tool returns.
enum CReturnType: Sendable, Equatable {
    case void
    case value(CValueType)
    /// A `char*` the plugin allocated; the host copies it, then calls the free function.
    case ownedString

    static let names = ["void"] + CValueType.allCases.map(\.rawValue) + ["char*"]
}

/// A tool's C signature from the manifest, checked: every type known, names
/// unique, a free function exactly when the result is owned. Building this is
/// the load-time check that refuses a bad manifest before any call happens.
struct CToolSignature: Sendable, Equatable {
    struct Parameter: Sendable, Equatable {
        let name: String
        let type: CValueType
    }

    let tool: String
    let symbol: String
    let parameters: [Parameter]
    let returns: CReturnType
    let freeSymbol: String?

    /// libffi handles more, but a tool the model calls should stay small.
    static let maximumParameters = 16

    init(tool: String, spec: CFunctionSpec) throws(CToolSignatureError) {
        func fail(_ reason: String) -> CToolSignatureError { CToolSignatureError(message: "C tool `\(tool)`: \(reason)") }
        guard Self.isCIdentifier(spec.symbol) else { throw fail("symbol `\(spec.symbol)` is not a C identifier") }
        guard spec.params.count <= Self.maximumParameters else {
            throw fail("has \(spec.params.count) parameters, at most \(Self.maximumParameters) are supported")
        }
        var parameters: [Parameter] = []
        for param in spec.params {
            guard !param.name.isEmpty else { throw fail("a parameter has an empty name") }
            guard !parameters.contains(where: { $0.name == param.name }) else {
                throw fail("parameter `\(param.name)` is declared twice")
            }
            guard let type = CValueType(rawValue: param.type) else {
                let known = CValueType.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                throw fail("parameter `\(param.name)` has unknown C type `\(param.type)` (supported: \(known))")
            }
            parameters.append(Parameter(name: param.name, type: type))
        }
        let returns: CReturnType
        switch spec.returns {
        case "void": returns = .void
        case "char*": returns = .ownedString
        default:
            guard let type = CValueType(rawValue: spec.returns) else {
                let known = Self.returnTypeList
                throw fail("unknown C return type `\(spec.returns)` (supported: \(known))")
            }
            returns = .value(type)
        }
        if returns == .ownedString {
            guard let free = spec.free else { throw fail("returns `char*` but names no `free` function") }
            guard Self.isCIdentifier(free) else { throw fail("free function `\(free)` is not a C identifier") }
        } else if spec.free != nil {
            throw fail("names a `free` function but returns `\(spec.returns)`, not an owned `char*`")
        }
        self.tool = tool
        self.symbol = spec.symbol
        self.parameters = parameters
        self.returns = returns
        self.freeSymbol = spec.free
    }

    private static var returnTypeList: String { CReturnType.names.map { "`\($0)`" }.joined(separator: ", ") }

    static func isCIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 255 else { return false }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}

/// Why a manifest's C signature was refused at load time.
struct CToolSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    let message: String
    var description: String { message }
}
