extension FormatRegistry {
    /// Linux hosts: auditd, auth.log and syslog, Sysmon for Linux. auditd's lines are known by
    /// `type=... msg=audit(`; the syslog format takes any line with a syslog header and a
    /// program, but never a CEF or LEEF payload (those formats come after it and read it).
    static let linuxFormats: [any Format] = [AuditdFormat(), SysmonLinuxFormat(), LinuxSyslogFormat()]
}
