import Synchronization

/// How the registry takes a generation back from a turn holding a lease on it:
/// fired once, when the generation drains past its deadline.
///
/// The turn says what a recall does (`onRecall`) once it has something to cut;
/// a recall that comes before that runs the action as soon as it is given, so
/// a deadline that passes while the turn is starting is not lost.
final class LeaseRecall: Sendable {
    private struct State {
        var recalled = false
        var released = false
        var action: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// Whether the lease was recalled.
    var isRecalled: Bool { state.withLock { $0.recalled } }

    /// The generation's drain deadline passed: run the turn's action, once.
    func recall() {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.recalled, !state.released else { return nil }
            state.recalled = true
            defer { state.action = nil }
            return state.action
        }
        action?()
    }

    /// The lease was given back: no recall comes any more, and the action goes.
    /// The action holds the turn's channel, and the channel's service handler
    /// holds the lease: kept, the pair would keep each other — and the turn's
    /// whole conversation — alive for the life of the process.
    func release() {
        state.withLock { state in
            state.released = true
            state.action = nil
        }
    }

    /// What a recall does; runs at once when the recall came already.
    /// - Parameters:
    ///   - action: Cuts the turn; called at most once.
    func onRecall(_ action: @escaping @Sendable () -> Void) {
        let recalled = state.withLock { state -> Bool in
            if !state.recalled, !state.released { state.action = action }
            return state.recalled && !state.released
        }
        if recalled { action() }
    }
}
