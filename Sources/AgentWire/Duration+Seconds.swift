extension Duration {
    /// The duration in seconds, fractions included: how the manifest and the
    /// daemon's flags write time limits.
    public var totalSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration as people read it in a limit: `0.5 s`, `30 s`.
    public var secondsText: String {
        let value = totalSeconds
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? "\(Int(rounded)) s" : "\(rounded) s"
    }
}
