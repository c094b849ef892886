@testable import AgentKit
import Testing

@Suite struct AgentKitTests {
    struct AddInput: Codable, Sendable {
        var a: Double
        var b: Double
    }

    struct Sum: Codable, Sendable {
        var sum: Double
    }

    @Test func toolsDecodeTheirInputAndEncodeTheirOutput() async throws {
        let tool = Tool(name: "add", description: "Adds", inputSchema: ["type": "object"]) { (input: AddInput) in
            Sum(sum: input.a + input.b)
        }
        #expect(tool.spec.name == "add")
        #expect(try await tool.execute(["a": 2.5, "b": 3]) == ["sum": 5.5])
        await #expect(throws: (any Error).self) { try await tool.execute(["a": "two"]) }
    }

    @Test func modelsNameProviderAndModel() {
        #expect(Model.default.identifier == "default")
        #expect(Model.anthropic("claude-sonnet-4-5").identifier == "anthropic:claude-sonnet-4-5")
        #expect(Model.openai("gpt-4o").identifier == "openai:gpt-4o")
        #expect(StopCondition.stepCount(15).maxSteps == 15)
    }

    @Test func agentsDeclareTheirTools() {
        let tool = Tool(name: "t", description: "d", inputSchema: [:]) { (_: AddInput) in 1 }
        let agent = ChatAgent(id: "x", tools: [tool]) { _ in StreamTextResult(text: "", finishReason: .stop, steps: 0) }
        #expect(agent.manifest == AgentManifest(id: "x", tools: [ToolSpec(name: "t", description: "d", inputSchema: [:])], upgrade: .migrate))
    }

    @Test func streamTextOutsideATurnFailsClearly() async {
        await #expect(throws: StreamTextError.self) { _ = try await streamText(messages: []) }
    }
}
