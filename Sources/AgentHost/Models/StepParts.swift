import AgentWire

/// The UI parts of one step, in the order the model produced them.
///
/// Text and reasoning are streamed parts with ids; a change of kind (text →
/// tool call → text) closes the open part and the next one gets a new id, so a
/// client renders text written after a tool call after it. The first text part
/// of step N is `text-N`, later ones `text-N-2`, `text-N-3`, …
struct StepParts {
    let step: Int
    let emit: @Sendable (UIChunk) async throws -> Void

    private var openText: String?
    private var openReasoning: String?
    private var reasoningText = ""
    private var textParts = 0
    private var reasoningParts = 0
    /// Tool calls whose input is being streamed (`tool-input-start` sent).
    private var streamingCalls: Set<String> = []

    /// `openTextId`/`openReasoningId`: parts a retried step continues (already started).
    init(step: Int, emit: @escaping @Sendable (UIChunk) async throws -> Void,
         openTextId: String? = nil, openReasoningId: String? = nil) {
        self.step = step
        self.emit = emit
        openText = openTextId
        openReasoning = openReasoningId
        textParts = openTextId == nil ? 0 : 1
        reasoningParts = openReasoningId == nil ? 0 : 1
    }

    mutating func text(_ delta: String) async throws {
        if openText == nil {
            _ = try await endReasoning()
            textParts += 1
            let id = textParts == 1 ? "text-\(step)" : "text-\(step)-\(textParts)"
            openText = id
            try await emit(.textStart(id: id))
        }
        if let id = openText { try await emit(.textDelta(id: id, delta: delta)) }
    }

    mutating func reasoning(_ delta: String) async throws {
        if openReasoning == nil {
            try await endText()
            reasoningParts += 1
            let id = reasoningParts == 1 ? "reasoning-\(step)" : "reasoning-\(step)-\(reasoningParts)"
            openReasoning = id
            reasoningText = ""
            try await emit(.reasoningStart(id: id))
        }
        reasoningText += delta
        if let id = openReasoning { try await emit(.reasoningDelta(id: id, delta: delta)) }
    }

    /// Closes the reasoning part; returns its text (nil when none was open).
    mutating func endReasoning() async throws -> String? {
        guard let id = openReasoning else { return nil }
        openReasoning = nil
        try await emit(.reasoningEnd(id: id))
        return reasoningText
    }

    mutating func toolInputStart(id: String, name: String) async throws {
        try await closeOpen()
        streamingCalls.insert(id)
        try await emit(.toolInputStart(toolCallId: id, toolName: name))
    }

    mutating func toolInputDelta(id: String, delta: String) async throws {
        guard streamingCalls.contains(id) else { return }
        try await emit(.toolInputDelta(toolCallId: id, inputTextDelta: delta))
    }

    /// A complete call. One that was not streamed gets its start and whole
    /// input as one delta first, so every call has the same chunk sequence.
    mutating func toolCall(id: String, name: String, input: JSONValue) async throws {
        if !streamingCalls.contains(id) {
            try await closeOpen()
            try await emit(.toolInputStart(toolCallId: id, toolName: name))
            try await emit(.toolInputDelta(toolCallId: id, inputTextDelta: (try? WireCoding.encodeString(input)) ?? "{}"))
        }
        streamingCalls.remove(id)
        try await emit(.toolInputAvailable(toolCallId: id, toolName: name, input: input))
    }

    mutating func closeOpen() async throws {
        _ = try await endReasoning()
        try await endText()
    }

    private mutating func endText() async throws {
        guard let id = openText else { return }
        openText = nil
        try await emit(.textEnd(id: id))
    }
}
