extension PluginCalls {
    /// Awaits `call` for at most `limit`: its value, or nil when the limit came
    /// first or the waiting task was cancelled (a stopped turn; tell the two apart
    /// with `Task.isCancelled`). Plugin code cannot be taken back, so such a call
    /// is left to finish or not; its late answer goes nowhere.
    /// - Parameters:
    ///   - limit: How long to wait.
    ///   - call: The plugin call, e.g. a tool.
    static func value<T: Sendable>(within limit: Duration, of call: @escaping @Sendable () async -> T) async -> T? {
        // Answered once, by whichever comes first.
        let reply = ReplyTable<T?>()
        let id = reply.makeId()
        return await withTaskCancellationHandler {
            await reply.await(id) {
                // Cancelled before the waiter was registered: `onCancel` found nobody.
                if Task.isCancelled { return .some(nil) }
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
        } onCancel: {
            reply.resume(id, with: nil)
        }
    }
}
