/// A tool the model may call. Its input is decoded from the model's JSON into a
/// Codable type; its output goes back to the model as JSON.
///
/// ```swift
/// struct WeatherInput: Codable, Sendable { let city: String }
///
/// let getWeather = Tool(
///     name: "getWeather", description: "Current weather for a city.",
///     inputSchema: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]
/// ) { (input: WeatherInput) in
///     try WeatherTable.report(for: input.city)
/// }
/// ```
public struct Tool: Sendable {
    /// The name the model calls the tool by; unique within an agent.
    public let name: String
    /// What the tool does and when to use it, written for the model: it decides
    /// from this text whether to call the tool.
    public let description: String
    /// A JSON schema of the input, sent to the model with every step.
    public let inputSchema: JSONValue
    /// How long one call may take before the model gets a timeout error
    /// instead; nil leaves it to the daemon (`serve --tool-timeout`, which also caps it).
    public let timeout: Duration?
    /// Whether a call waits for a person's approval before `execute` runs.
    public let needsApproval: Approval
    /// Whether a call cut off by a crash may run again, with the same
    /// `ToolContext.toolCallId` (README, "Tools after a crash"); false: the
    /// model is told the call was interrupted instead.
    public let retryable: Bool
    /// Runs the tool; nil for a client-side tool, which the browser runs.
    let execute: (@Sendable (JSONValue, ToolContext) async throws -> ToolModelOutputResult)?
    /// True when the tool gives the model a compact form of its output (`toModelOutput`).
    let hasModelOutput: Bool
    /// The agent a call delegates to (`Tool.agent`); the manifest shows it.
    var delegatesTo: String?

    /// True for a tool declared without `execute`: the client runs it.
    public var isClientSide: Bool { execute == nil }

    /// Declares a tool whose input and output are Swift types.
    ///
    /// - Parameters:
    ///   - name: The name the model calls the tool by.
    ///   - description: What the tool does, for the model.
    ///   - inputSchema: A JSON schema that `Input` decodes from; the model fills it in.
    ///   - timeout: How long one call may take; `nil` leaves it to the daemon, which
    ///     caps it (README, "Run limits"). A call past it is abandoned, not cancelled.
    ///   - needsApproval: `.always`, or `.when { (input: Input) in … }` to decide per
    ///     call: the turn then ends with an approval request, and the tool runs once
    ///     a person approved it (a denied call never runs; the model is told).
    ///   - retryable: True when running a call twice is harmless (it reads, or it
    ///     uses `ToolContext.toolCallId` as its idempotency key): a call cut off by
    ///     a crash then runs again with the same id. False (the default): the model
    ///     is told the call was interrupted, and the tool never runs twice.
    ///   - toModelOutput: What the model is told the tool returned, when that should
    ///     be shorter than the output the UI shows (a summary of a long document, a
    ///     count instead of rows). The stream and the stored message keep the full
    ///     output; the model gets this form now and on every later turn.
    ///   - execute: Runs the tool. Input that does not decode never reaches it: the
    ///     model gets a `ToolInputError` instead. A thrown error goes back to the
    ///     model as the tool's error text, so the model can retry or explain.
    public init<Input: Decodable & Sendable, Output: Encodable & Sendable>(
        name: String,
        description: String,
        inputSchema: JSONValue,
        timeout: Duration? = nil,
        needsApproval: Approval = .never,
        retryable: Bool = false,
        toModelOutput: (@Sendable (Output) throws -> JSONValue)? = nil,
        execute: @escaping @Sendable (Input) async throws -> Output
    ) {
        self.init(
            name: name, description: description, inputSchema: inputSchema, timeout: timeout,
            needsApproval: needsApproval, retryable: retryable, toModelOutput: toModelOutput
        ) { (input: Input, _: ToolContext) in
            try await execute(input)
        }
    }

    /// Declares a tool whose `execute` also receives its call's context: the call
    /// id, the chat, the stop signal, the session's state and client data, and a
    /// writer for preliminary outputs and `data-*` parts (``ToolContext``).
    ///
    /// ```swift
    /// let report = Tool(name: "report", description: "…", inputSchema: schema) { (input: ReportInput, context) in
    ///     try context.writePreliminary(["status": "fetching"])
    ///     try context.signal.throwIfAborted()
    ///     return try await build(input, for: context.chatId)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - name: The name the model calls the tool by.
    ///   - description: What the tool does, for the model.
    ///   - inputSchema: A JSON schema that `Input` decodes from; the model fills it in.
    ///   - timeout: How long one call may take; `nil` leaves it to the daemon.
    ///   - needsApproval: Whether a call waits for a person's approval first.
    ///   - retryable: True when a call cut off by a crash may run again with the
    ///     same `context.toolCallId`; false: the model is told it was interrupted.
    ///   - toModelOutput: What the model is told the tool returned, when that
    ///     should be shorter than the output the UI shows; nil: the output.
    ///   - execute: Runs the tool with the call's context. The task it runs in is
    ///     cancelled when the user stops the turn; a thrown error goes back to the
    ///     model as the tool's error text.
    public init<Input: Decodable & Sendable, Output: Encodable & Sendable>(
        name: String,
        description: String,
        inputSchema: JSONValue,
        timeout: Duration? = nil,
        needsApproval: Approval = .never,
        retryable: Bool = false,
        toModelOutput: (@Sendable (Output) throws -> JSONValue)? = nil,
        execute: @escaping @Sendable (Input, ToolContext) async throws -> Output
    ) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.timeout = timeout
        self.needsApproval = needsApproval
        self.retryable = retryable
        self.hasModelOutput = toModelOutput != nil
        self.execute = { raw, context in
            let input = try Self.decode(Input.self, raw, tool: name)
            let output = try await execute(input, context)
            return ToolModelOutputResult(
                output: try WireCoding.decode(JSONValue.self, from: WireCoding.encode(output)),
                modelOutput: try toModelOutput?(output)
            )
        }
    }

    /// Declares a client-side tool: the model may call it, the client (the
    /// browser, `useChat`'s `onToolCall` + `addToolOutput`) runs it. A call ends
    /// the turn with the part at `input-available`; the client's output continues
    /// the same answer.
    ///
    /// - Parameters:
    ///   - name: The name the model calls the tool by.
    ///   - description: What the tool does, for the model.
    ///   - inputSchema: A JSON schema of the input the client receives.
    public init(name: String, description: String, inputSchema: JSONValue) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.timeout = nil
        self.needsApproval = .never
        self.retryable = false
        self.hasModelOutput = false
        self.execute = nil
    }

    static func decode<Input: Decodable>(_ type: Input.Type, _ raw: JSONValue, tool: String) throws -> Input {
        do {
            return try WireCoding.decode(Input.self, from: WireCoding.encode(raw))
        } catch let error as DecodingError {
            throw ToolInputError(tool: tool, reason: ToolInputError.describe(error))
        }
    }

    var spec: ToolSpec {
        var spec = ToolSpec(
            name: name, description: description, inputSchema: inputSchema, timeoutSeconds: timeout?.totalSeconds,
            needsApproval: needsApproval.wire, clientSide: isClientSide ? true : nil,
            modelOutput: hasModelOutput ? true : nil
        )
        spec.agent = delegatesTo
        spec.retryable = retryable ? true : nil
        return spec
    }
}

/// The model's arguments do not fit the tool's input type. The text goes back
/// to the model as the tool's error, so it says what to fix.
public struct ToolInputError: Error, CustomStringConvertible {
    /// The tool whose input did not decode.
    public let tool: String
    /// Which field is missing or wrong, e.g. "missing `city`".
    public let reason: String

    /// The text the model sees as the tool's error.
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
