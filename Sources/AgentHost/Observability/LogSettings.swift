import Logging

/// How the process logs: the lowest level written and the line format, from
/// `--log-level`/`--log-format` or, when a flag is not given, `LOG_LEVEL`/`LOG_FORMAT`.
public struct LogSettings: Sendable, Equatable {
    /// Plain text lines (swift-log's stream handler) or JSON objects, one a line.
    public enum Format: String, Sendable, CaseIterable {
        case text
        case json
    }

    public var level: Logger.Level
    public var format: Format

    /// Why a level or format cannot be used; the command line says this.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameters:
    ///   - level: `--log-level`; nil reads `LOG_LEVEL`, then `info`.
    ///   - format: `--log-format`; nil reads `LOG_FORMAT`, then `text`.
    ///   - environment: the process's environment.
    public init(level: String?, format: String?, environment: [String: String]) throws(Invalid) {
        let levelText = (level ?? environment["LOG_LEVEL"] ?? "info").lowercased()
        guard let level = Logger.Level(rawValue: levelText) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw Invalid(description: "log level `\(levelText)` is not one of \(names)")
        }
        let formatText = (format ?? environment["LOG_FORMAT"] ?? "text").lowercased()
        guard let format = Format(rawValue: formatText) else {
            throw Invalid(description: "log format `\(formatText)` is not `text` or `json`")
        }
        self.level = level
        self.format = format
    }

    /// A handler for `label` in these settings; what `LoggingSystem.bootstrap` is given.
    public func handler(label: String) -> any LogHandler {
        switch format {
        case .text:
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        case .json:
            return JSONLogHandler(label: label, level: level)
        }
    }

    /// Makes these the settings of every logger of the process. Once per process.
    public func bootstrap() {
        let settings = self
        LoggingSystem.bootstrap { label in settings.handler(label: label) }
    }
}
