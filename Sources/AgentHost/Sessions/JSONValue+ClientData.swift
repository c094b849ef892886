import AgentWire

extension JSONValue {
    /// A turn's clientData: the session's creation clientData with the input's
    /// `metadata` merged over it, key by key at the top level (a key the input
    /// sends replaces the creation value whole). When either is not an object,
    /// the input's value wins when it has one.
    /// - Parameters:
    ///   - creation: The clientData given at session creation.
    ///   - metadata: The input's `metadata`.
    static func mergingClientData(_ creation: JSONValue?, _ metadata: JSONValue?) -> JSONValue? {
        guard let metadata else { return creation }
        guard case .object(var merged) = creation, case .object(let update) = metadata else { return metadata }
        merged.merge(update) { _, new in new }
        return .object(merged)
    }
}
