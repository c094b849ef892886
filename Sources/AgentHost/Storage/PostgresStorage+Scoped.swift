extension PostgresStorage {
    /// Runs `body` on this storage and shuts it down after, whether `body`
    /// returns or throws: for a short-lived user (a CLI command, a test).
    /// - Parameters:
    ///   - body: What to do with the storage.
    public func closing<Result>(after body: (PostgresStorage) async throws -> Result) async throws -> Result {
        do {
            let result = try await body(self)
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }
}
