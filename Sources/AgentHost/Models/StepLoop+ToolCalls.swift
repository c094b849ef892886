import AgentWire

/// The tool calls of one step: independent calls run at the same time (at
/// most `maxConcurrentToolCalls` at once), and what the stream and the model
/// get stays in call order — an output, an approval request or nothing (a
/// client-side call) per call — whatever order the tools end in.
extension StepLoop {
    /// Runs the calls that need nobody, asks for the ones that wait for a
    /// person; returns the results for the model in call order, and whether a
    /// call waits (the turn ends after this step).
    /// - Parameters:
    ///   - calls: The step's calls, in the order the model made them.
    ///   - recovered: For a step finished after a crash, how the calls the log
    ///     already decided are handled (StepLoop+Recovery); the others are asked.
    func runCalls(
        _ calls: [ModelToolCall], recovered: [String: CallHandling] = [:]
    ) async throws -> (results: [ModelMessage], awaitsAnswer: Bool) {
        guard !calls.isEmpty else { return ([], false) }
        var handlings: [CallHandling] = []
        for call in calls {
            try Task.checkCancellation()
            if let handling = recovered[call.id] {
                handlings.append(handling)
            } else {
                handlings.append(await approvals.handling(call))
            }
        }
        let runnable = calls.indices.filter { handlings[$0] == .run }
        var results: [ModelMessage] = []
        var awaitsAnswer = false
        // Everything before `next` is reported; finished calls wait here for their turn.
        var finished: [Int: Result<ToolOutput, ToolFailure>] = [:]
        var next = 0
        func reportReady() async throws {
            while next < calls.count {
                let call = calls[next]
                switch handlings[next] {
                case .run:
                    guard let result = finished.removeValue(forKey: next) else { return }
                    results.append(try await report(call, result))
                case .reuse(let result):
                    results.append(result)
                case .interrupted:
                    results.append(try await reportInterrupted(call))
                case .askApproval, .awaitClient:
                    if try await holdsForAnswer(call, handlings[next]) { awaitsAnswer = true }
                }
                next += 1
            }
        }
        let limit = max(1, maxConcurrentToolCalls)
        try await withThrowingTaskGroup(of: (Int, Result<ToolOutput, ToolFailure>).self) { group in
            var pending = runnable[...]
            func startNext() {
                guard let index = pending.popFirst() else { return }
                let call = calls[index]
                group.addTask { [callTool] in (index, await callTool(call)) }
            }
            for _ in 0..<limit { startNext() }
            try await reportReady()
            while let (index, result) = try await group.next() {
                try Task.checkCancellation()
                finished[index] = result
                startNext()
                try await reportReady()
            }
        }
        try Task.checkCancellation()
        try await reportReady()
        return (results, awaitsAnswer)
    }
}
