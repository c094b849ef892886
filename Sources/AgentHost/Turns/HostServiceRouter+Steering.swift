import AgentWire

extension HostServiceRouter {
    /// At a step boundary: takes the messages steered into this turn, records
    /// each (`data-pending-message-injected`) in order with the chunks — so the
    /// log shows it exactly where the model saw it, and a restart neither loses
    /// nor repeats it — and returns them as the model's next messages.
    func steer(into channel: TurnChannel) async throws -> [ModelMessage] {
        let steered = await log.takeSteering()
        guard !steered.isEmpty else { return [] }
        for (inSeq, message) in steered {
            // The answer goes on in a message of its own after the steered one.
            let responseId = TurnRunner.messageId(chatId: log.chatId, inSeq: inSeq)
            channel.sendControl(.pendingMessageInjected(inSeq: inSeq, messageId: message.id, responseMessageId: responseId))
        }
        return try await files.resolve(ModelMessage.from(steered.map(\.message)))
    }
}
