extension SignalKind {
    /// Linux hosts: auditd, auth.log and syslog, Sysmon for Linux.
    static let linuxKinds: [SignalKind] = []
}
