import Logging

/// Resolves the model an agent names (`default`, `scripted:echo`, …) to a
/// provider. Real providers arrive with their own issue; until then anything
/// but the scripted model is refused with a clear error.
public struct ModelCatalog: Sendable {
    /// What `AGENT_HOST_MODEL` named, `scripted:echo` when unset.
    public let defaultIdentifier: String
    public let scriptedDelayMilliseconds: Int

    public init(defaultIdentifier: String?, scriptedDelayMilliseconds: Int) {
        self.defaultIdentifier = (defaultIdentifier?.isEmpty == false ? defaultIdentifier : nil) ?? "scripted:echo"
        self.scriptedDelayMilliseconds = scriptedDelayMilliseconds
    }

    public init(environment: [String: String]) {
        self.init(
            defaultIdentifier: environment["AGENT_HOST_MODEL"],
            scriptedDelayMilliseconds: environment["AGENT_HOST_SCRIPTED_DELAY_MS"].flatMap(Int.init) ?? 20
        )
    }

    public struct UnavailableModel: Error, CustomStringConvertible {
        public let identifier: String
        public var description: String {
            "model `\(identifier)` is not available in this build; use `scripted:echo` (or set AGENT_HOST_MODEL)"
        }
    }

    public func model(named name: String?) throws -> any LanguageModel {
        let identifier = (name == nil || name == "default") ? defaultIdentifier : (name ?? defaultIdentifier)
        if identifier.hasPrefix("scripted") {
            return ScriptedModel(delayMilliseconds: scriptedDelayMilliseconds)
        }
        throw UnavailableModel(identifier: identifier)
    }

    /// One line for the start-up banner.
    public var banner: String {
        defaultIdentifier.hasPrefix("scripted")
            ? "model: \(defaultIdentifier) (built-in scripted model, no network; set AGENT_HOST_MODEL for a real one)"
            : "model: \(defaultIdentifier)"
    }
}
