extension SigmaBuiltInMapping {
    /// Linux hosts: auditd, auth.log and syslog, Sysmon for Linux.
    static let linux = """
    # (filled as the formats for these sources land)
    """
}
