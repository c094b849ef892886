import AgentWire

extension AnthropicRequestBody {
    /// The request's cache breakpoints (`ModelRequest.cacheBreakpoints`) as
    /// `cache_control: {"type": "ephemeral"}` on the blocks they name.
    /// Anthropic takes at most four in a request (more is a 400): the last
    /// four are kept — the longest prefixes, the ones worth caching.
    struct CacheMarks {
        /// The most breakpoints one request may carry.
        static let limit = 4

        private let byMessage: [Int: [ModelCacheBreakpoint.Block]]

        init(_ breakpoints: Set<ModelCacheBreakpoint>) {
            let kept = breakpoints.sorted { $0.message < $1.message }.suffix(Self.limit)
            byMessage = Dictionary(grouping: kept, by: \.message).mapValues { $0.map(\.block) }
        }

        /// `blocks` of message `message`, the ones a breakpoint names marked; a
        /// breakpoint whose block the message did not produce marks its last block.
        func apply(to blocks: [(block: JSONValue, name: ModelCacheBreakpoint.Block?)], message: Int) -> [JSONValue] {
            var content = blocks.map(\.block)
            guard let marks = byMessage[message], !content.isEmpty else { return content }
            for mark in marks {
                let index = blocks.firstIndex { $0.name == mark && mark != .last } ?? content.count - 1
                if case .object(var block) = content[index] {
                    block["cache_control"] = ["type": "ephemeral"]
                    content[index] = .object(block)
                }
            }
            return content
        }
    }
}
