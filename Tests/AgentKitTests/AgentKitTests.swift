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
        #expect(try await tool.execute?(["a": 2.5, "b": 3], Self.context).output == ["sum": 5.5])
        await #expect(throws: (any Error).self) { try await tool.execute?(["a": "two"], Self.context) }
    }

    private static let context = ToolContext(toolCallId: "call_1", chatId: "chat-1", state: ["n": 1], clientData: ["plan": "pro"], turnId: 0)

    struct Plan: Decodable, Equatable {
        var plan: String
    }

    @Test func aToolWithAContextKnowsItsCallAndGivesTheModelACompactForm() async throws {
        let tool = Tool(
            name: "add", description: "Adds", inputSchema: ["type": "object"],
            toModelOutput: { (sum: Sum) in .string("\(sum.sum)") }
        ) { (input: AddInput, context: ToolContext) in
            #expect(context.toolCallId == "call_1" && context.chatId == "chat-1")
            let plan = try context.clientData(as: Plan.self)
            #expect(plan == Plan(plan: "pro"))
            #expect(context.state == ["n": 1])
            return Sum(sum: input.a + input.b)
        }
        let result = try await tool.execute?(["a": 2.5, "b": 3], Self.context)
        #expect(result?.output == ["sum": 5.5])
        #expect(result?.modelOutput == "5.5")
        // The manifest says so, and a tool without `toModelOutput` does not.
        #expect(tool.spec.modelOutput == true)
        #expect(Tool(name: "n", description: "d", inputSchema: [:]) { (_: AddInput) in 1 }.spec.modelOutput == nil)
    }

    @Test func aRetryableToolSaysSoInItsSpecAndTheManifestReadsIt() throws {
        let retryable = Tool(name: "lookup", description: "d", inputSchema: [:], retryable: true) { (_: AddInput) in 1 }
        #expect(retryable.spec.retryable == true)
        // Not retryable unless declared: the field stays out of the manifest.
        let plain = Tool(name: "charge", description: "d", inputSchema: [:]) { (_: AddInput) in 1 }
        #expect(plain.spec.retryable == nil)
        #expect(!(try WireCoding.encodeString(plain.spec)).contains("retryable"))
        let decoded = try WireCoding.decode(ToolSpec.self, from: WireCoding.encodeString(retryable.spec))
        #expect(decoded.retryable == true)
    }

    @Test func toolsDeclareApprovalAndClientSideInTheirSpec() async throws {
        let always = Tool(name: "wipe", description: "d", inputSchema: [:], needsApproval: .always) { (_: AddInput) in 1 }
        let perCall = Tool(name: "add", description: "d", inputSchema: [:], needsApproval: .when { (input: AddInput) in input.a > 100 }) {
            (input: AddInput) in Sum(sum: input.a + input.b)
        }
        let client = Tool(name: "where", description: "d", inputSchema: [:])
        #expect(always.spec.needsApproval == .always)
        #expect(perCall.spec.needsApproval == .perCall)
        #expect(client.spec.clientSide == true && client.isClientSide && client.spec.needsApproval == nil)
        #expect(perCall.spec.clientSide == nil)
        // The per-call decision reads the typed input; input that does not decode asks a person.
        #expect(await perCall.needsApproval.needsApproval(["a": 500, "b": 1]))
        #expect(await !perCall.needsApproval.needsApproval(["a": 5, "b": 1]))
        #expect(await perCall.needsApproval.needsApproval(["a": "lots"]))
        #expect(await always.needsApproval.needsApproval([:]))
        #expect(await !Tool.Approval.never.needsApproval([:]))
        // The manifest wire form: true, "when", absent.
        #expect(try WireCoding.encodeString(perCall.spec).contains(#""needsApproval":"when""#))
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
        // No hooks set: only `cancelTurn`, which AgentKit always takes (stop vs cancel).
        #expect(agent.manifest == AgentManifest(
            id: "x", tools: [ToolSpec(name: "t", description: "d", inputSchema: [:])], upgrade: .migrate, hooks: ["cancelTurn"]
        ))
    }

    @Test func agentsAndToolsDeclareTheirTimeLimitsInSeconds() throws {
        let tool = Tool(name: "t", description: "d", inputSchema: [:], timeout: .milliseconds(1500)) { (_: AddInput) in 1 }
        let agent = ChatAgent(id: "x", tools: [tool], maxTurnDuration: .seconds(300)) { _ in
            StreamTextResult(text: "", finishReason: .stop, steps: 0)
        }
        #expect(agent.manifest.maxTurnSeconds == 300)
        #expect(agent.manifest.tools.first?.timeoutSeconds == 1.5)
        let json = try WireCoding.encodeString(agent.manifest)
        #expect(json.contains(#""maxTurnSeconds":300"#))
        #expect(json.contains(#""timeoutSeconds":1.5"#))
        #expect(try WireCoding.decode(AgentManifest.self, from: json) == agent.manifest)
        // Nothing declared: nothing written, the daemon decides.
        let plain = ChatAgent(id: "y") { _ in StreamTextResult(text: "", finishReason: .stop, steps: 0) }
        #expect(!(try WireCoding.encodeString(plain.manifest)).contains("Seconds"))
    }

    @Test func streamTextOutsideATurnFailsClearly() async {
        await #expect(throws: StreamTextError.self) { _ = try await streamText(messages: []) }
    }
}
