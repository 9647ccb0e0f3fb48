extension FormatRegistry {
    /// Linux hosts: auditd, auth.log and syslog, Sysmon for Linux.
    static let linuxFormats: [any Format] = []
}
