extension PluginCalls {
    /// Awaits `call` for at most `limit`: its value, or nil when the limit came
    /// first. Plugin code cannot be cancelled, so a call past its limit is left
    /// to finish or not; its late answer goes nowhere.
    /// - Parameters:
    ///   - limit: How long to wait.
    ///   - call: The plugin call, e.g. a tool.
    static func value<T: Sendable>(within limit: Duration, of call: @escaping @Sendable () async -> T) async -> T? {
        // Answered once, by whichever comes first.
        let reply = ReplyTable<T?>()
        let id = reply.makeId()
        return await reply.await(id) {
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                reply.resume(id, with: nil)
            }
            Task {
                let value = await call()
                timer.cancel()
                reply.resume(id, with: value)
            }
            return nil
        }
    }
}
