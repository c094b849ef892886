/// Waits until `condition` holds, checking every few milliseconds. The deadline
/// only ends a test whose condition is broken instead of hanging it: it is
/// generous because the whole suite shares two cores with daemons and compilers.
/// - Parameters:
///   - condition: What the test waits for.
/// - Throws: `TestFailure` when it never held; whatever `condition` throws.
public func waitUntil(_ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("the condition never held") }
        try await Task.sleep(for: .milliseconds(5))
    }
}
