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
            let input = try WireCoding.decode(Input.self, from: WireCoding.encode(raw))
            let output = try await execute(input)
            return try WireCoding.decode(JSONValue.self, from: WireCoding.encode(output))
        }
    }

    var spec: ToolSpec {
        ToolSpec(name: name, description: description, inputSchema: inputSchema)
    }
}
