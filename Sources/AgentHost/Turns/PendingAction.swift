import AgentWire

/// An action input the session holds for its turn slot, with what `onAction` is told.
struct PendingAction: Sendable {
    /// The action's payload, as the client sent it.
    var action: JSONValue?
    /// The session's creation clientData with the input's `metadata` merged over it.
    var clientData: JSONValue?
    /// The conversation as it stands.
    var messages: [UIMessage]
}
