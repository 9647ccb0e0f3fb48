extension SignalKind {
    /// Web servers and proxies.
    static let webKinds: [SignalKind] = []
}
