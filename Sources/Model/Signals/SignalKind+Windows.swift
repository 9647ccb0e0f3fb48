extension SignalKind {
    /// Windows events (EVTX and forwarders), by Sigma logsource.
    static let windowsKinds: [SignalKind] = []
}
