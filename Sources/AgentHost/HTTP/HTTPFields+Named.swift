import HTTPTypes

extension HTTPFields {
    /// A header by case-insensitive name, for names HTTPTypes has no constant for.
    func value(named name: String) -> String? {
        first { $0.name.canonicalName == name.lowercased() }?.value
    }

    /// The `Idempotency-Key` of an input, validated.
    func idempotencyKey() throws(AgentHostError) -> String? {
        guard let key = value(named: "idempotency-key") else { return nil }
        guard !key.isEmpty, key.count <= 255 else { throw .badRequest("`Idempotency-Key` must be 1 to 255 characters") }
        return key
    }
}
