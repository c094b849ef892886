/// A test's own failure: a set-up step that did not work, a state never reached.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String

    /// - Parameters:
    ///   - description: What went wrong.
    public init(_ description: String) { self.description = description }
}
