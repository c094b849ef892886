/// A tool the model may call. Its input is decoded from the model's JSON into a
/// Codable type; its output goes back to the model as JSON.
public struct Tool: Sendable {
    public let name: String
    public let description: String
    public let inputSchema: JSONValue
    let execute: @Sendable (JSONValue) async throws -> JSONValue

    public init<Input: Decodable & Sendable, Output: Encodable & Sendable>(
        name: String,
        description: String,
        inputSchema: JSONValue,
        execute: @escaping @Sendable (Input) async throws -> Output
    ) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.execute = { raw in
            let input: Input
            do {
                input = try WireCoding.decode(Input.self, from: WireCoding.encode(raw))
            } catch let error as DecodingError {
                throw ToolInputError(tool: name, reason: ToolInputError.describe(error))
            }
            let output = try await execute(input)
            return try WireCoding.decode(JSONValue.self, from: WireCoding.encode(output))
        }
    }

    var spec: ToolSpec {
        ToolSpec(name: name, description: description, inputSchema: inputSchema)
    }
}

/// The model's arguments do not fit the tool's input type. The text goes back
/// to the model as the tool's error, so it says what to fix.
public struct ToolInputError: Error, CustomStringConvertible {
    public let tool: String
    public let reason: String

    public var description: String { "invalid input for tool `\(tool)`: \(reason)" }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.isEmpty ? "the input" : "`" + keys.map(\.stringValue).joined(separator: ".") + "`"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context, key))"
        case .typeMismatch(let type, let context): return "\(path(context)) should be of type \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) should be a \(type), not null"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
