/// The C signature of a tool the host calls directly through libffi instead of
/// through the plugin's `call_tool`: plain C functions need no JSON parsing on
/// the plugin side, so a tool can be a few lines of C (DESIGN.md §4, "C tools").
///
/// ```json
/// {"symbol": "ctools_add", "params": [{"name": "a", "type": "double"}, {"name": "b", "type": "double"}],
///  "returns": "double"}
/// ```
///
/// Parameter types: `int32`, `int64`, `double`, `bool`, `const char*` (borrowed
/// for the call). Return types: the same, `void`, or `char*`: a string the
/// plugin allocated and the host releases with the function named in `free`.
/// The host checks every name and type when it loads the plugin, not when the
/// model first calls the tool.
public struct CFunctionSpec: Codable, Sendable, Hashable {
    /// The exported function the host resolves with `dlsym` in the plugin image.
    public var symbol: String
    /// In C declaration order; the model passes them as a JSON object by name.
    public var params: [CParameterSpec]
    /// The C return type: a parameter type, `void`, or `char*` (then `free` is required).
    public var returns: String
    /// The plugin's exported `void free_fn(char *)`, required when `returns` is `char*`.
    public var free: String?

    /// Describes one C function for the manifest.
    ///
    /// - Parameters:
    ///   - symbol: The exported function's name.
    ///   - params: Its parameters in declaration order.
    ///   - returns: Its return type.
    ///   - free: The exported function that releases a returned `char*`.
    public init(symbol: String, params: [CParameterSpec], returns: String, free: String? = nil) {
        self.symbol = symbol
        self.params = params
        self.returns = returns
        self.free = free
    }

    /// A JSON schema for the parameters, so a C author need not write one by
    /// hand: every parameter required, nothing else allowed.
    public var derivedInputSchema: JSONValue {
        var properties: [String: JSONValue] = [:]
        for param in params {
            properties[param.name] = .object(["type": .string(Self.schemaType(of: param.type))])
        }
        return .object([
            "type": "object",
            "properties": .object(properties),
            "required": .array(params.map { .string($0.name) }),
            "additionalProperties": false,
        ])
    }

    private static func schemaType(of cType: String) -> String {
        switch cType {
        case "int32", "int64": "integer"
        case "double": "number"
        case "bool": "boolean"
        default: "string"
        }
    }
}

/// One named parameter of a `CFunctionSpec`.
public struct CParameterSpec: Codable, Sendable, Hashable {
    /// The key the model's JSON arguments use for this parameter.
    public var name: String
    /// `int32`, `int64`, `double`, `bool` or `const char*`.
    public var type: String

    /// Describes one parameter.
    ///
    /// - Parameters:
    ///   - name: The JSON key the value comes under.
    ///   - type: The C type the host converts the value to.
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}
