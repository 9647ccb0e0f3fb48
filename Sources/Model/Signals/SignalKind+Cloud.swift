extension SignalKind {
    /// Cloud and SaaS audit logs.
    static let cloudKinds: [SignalKind] = []
}
