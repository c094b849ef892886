extension Tool {
    /// Whether a call of a tool waits for a person before it runs.
    ///
    /// ```swift
    /// let transfer = Tool(
    ///     name: "transfer", description: "Moves money.", inputSchema: schema,
    ///     needsApproval: .when { (input: TransferInput) in input.amount > 100 }
    /// ) { (input: TransferInput) in try await bank.transfer(input) }
    /// ```
    public struct Approval: Sendable {
        /// Decides for one call's raw input; nil: the manifest's answer holds.
        let decide: (@Sendable (JSONValue) async throws -> Bool)?
        let wire: ToolApproval?

        /// The tool runs without asking (the default).
        public static let never = Approval(decide: nil, wire: nil)
        /// Every call waits for an approval.
        public static let always = Approval(decide: nil, wire: .always)

        /// Decides per call from the typed input. Input that does not decode, or a
        /// thrown error, asks for approval: when in doubt a person decides.
        ///
        /// - Parameters:
        ///   - decide: True when this call needs a person's approval.
        public static func when<Input: Decodable & Sendable>(
            _ decide: @escaping @Sendable (Input) async throws -> Bool
        ) -> Approval {
            Approval(decide: { raw in try await decide(Tool.decode(Input.self, raw, tool: "")) }, wire: .perCall)
        }

        /// This call's answer: the per-call decision, or the declared one.
        func needsApproval(_ input: JSONValue) async -> Bool {
            guard let decide else { return wire == .always }
            return (try? await decide(input)) ?? true
        }
    }
}
