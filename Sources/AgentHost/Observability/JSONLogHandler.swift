import Foundation
import Logging
import Synchronization

/// Writes one JSON object per log line: `timestamp`, `level`, `label`, `message`,
/// `source`, then the metadata as fields of their own (a key the line already
/// uses, such as `message`, goes in as `metadata.<key>`). A log collector reads
/// the values without parsing message text.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (Data) -> Void

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - level: the lowest level written.
    ///   - write: where a finished line goes; standard output by default.
    public init(
        label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (Data) -> Void = JSONLogHandler.standardOutput
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "timestamp": Date().formatted(Self.timestampStyle),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
            "source": event.source,
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        for (key, value) in merged {
            fields[fields[key] == nil ? key : "metadata.\(key)"] = Self.json(value)
        }
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        line.append(UInt8(ascii: "\n"))
        write(line)
    }

    /// UTC with milliseconds: `2026-11-30T18:37:51.684Z`.
    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }

    /// One `write` per line, serialized: lines of concurrent loggers never interleave.
    public static let standardOutput: @Sendable (Data) -> Void = { line in
        outputLock.withLock { _ in FileHandle.standardOutput.write(line) }
    }

    private static let outputLock = Mutex(())
}
