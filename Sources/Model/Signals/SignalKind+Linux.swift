extension SignalKind {
    /// One auditd event: the records the kernel and user space wrote under one
    /// `msg=audit(time:serial)` (SYSCALL, PATH, CWD, PROCTITLE, USER_*, SERVICE_*...).
    public static let auditdEvent = SignalKind(
        name: "linux.auditd", displayName: "auditd event", aliases: ["audit event", "auditd record", "linux audit event"],
        source: "auditd")
    /// An auditd event with an EXECVE record: a program started, with its arguments.
    public static let linuxProcessStart = SignalKind(
        name: "linux.process_creation", displayName: "Linux process start",
        aliases: ["linux process creation", "linux exec", "execve", "linux command"], source: "auditd")
    /// Any other program's syslog line (auth.log, /var/log/messages, a forwarded RFC 5424 message).
    public static let syslogMessage = SignalKind(
        name: "linux.syslog", displayName: "syslog message", aliases: ["syslog line", "syslog event", "auth.log line"],
        source: "syslog")
    public static let sshLogin = SignalKind(
        name: "linux.ssh.login", displayName: "SSH login", aliases: ["ssh logon", "accepted ssh login", "sshd login"],
        source: "syslog")
    public static let sshLoginFailed = SignalKind(
        name: "linux.ssh.login_failed", displayName: "failed SSH login",
        aliases: ["ssh login failure", "ssh failure", "failed ssh password", "invalid ssh user", "ssh brute force attempt"],
        source: "syslog")
    public static let sudoCommand = SignalKind(
        name: "linux.sudo", displayName: "sudo command", aliases: ["sudo", "sudo use", "privileged command"], source: "syslog")

    /// Sysmon for Linux's events (event XML in syslog) by what they record; its process starts
    /// are `linux.process_creation`.
    public static let linuxNetworkConnection = SignalKind(
        name: "linux.network_connection", displayName: "Linux network connection", aliases: ["sysmon linux 3"], source: "sysmon")
    public static let linuxFileEvent = SignalKind(
        name: "linux.file_event", displayName: "Linux file created", aliases: ["sysmon linux 11"], source: "sysmon")
    public static let linuxFileDelete = SignalKind(
        name: "linux.file_delete", displayName: "Linux file deleted", aliases: ["sysmon linux 23"], source: "sysmon")
    public static let linuxSysmon = SignalKind(
        name: "linux.sysmon", displayName: "Sysmon for Linux event", aliases: ["sysmon linux"], source: "sysmon")

    /// Linux hosts: auditd, auth.log and syslog, Sysmon for Linux.
    static let linuxKinds: [SignalKind] = [
        auditdEvent, linuxProcessStart, syslogMessage, sshLogin, sshLoginFailed, sudoCommand,
        linuxNetworkConnection, linuxFileEvent, linuxFileDelete, linuxSysmon,
    ]
}
