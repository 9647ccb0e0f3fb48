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

    /// Linux hosts: auditd, auth.log and syslog, Sysmon for Linux.
    static let linuxKinds: [SignalKind] = [auditdEvent, linuxProcessStart, syslogMessage, sshLogin, sshLoginFailed, sudoCommand]
}
