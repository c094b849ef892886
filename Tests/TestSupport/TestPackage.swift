import Foundation

/// This package's checkout, for tests that read its sources, fixtures and scripts.
public enum TestPackage {
    /// The package root, found from this file's path (`Tests/TestSupport/TestPackage.swift`).
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
