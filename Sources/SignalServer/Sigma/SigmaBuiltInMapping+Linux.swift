extension SigmaBuiltInMapping {
    /// Linux hosts: auditd, auth.log and syslog, Sysmon for Linux.
    ///
    /// auditd events keep auditd's field names (`type`, `SYSCALL`, `exe`, `a0`, `name`...), so
    /// `service: auditd` rules need no field mapping; an EXECVE event also carries Sigma's
    /// process_creation names (`Image`, `CommandLine`, `CurrentDirectory`), a created file
    /// `TargetFilename`, a connect `DestinationIp` and `DestinationPort`.
    ///
    /// Syslog services are the program that wrote the line (`process.name`, the syslog TAG),
    /// as pySigma's backends read `service: sshd` as the program. Program names are compared
    /// ignoring case (`CRON` is cron). `service: auth` is the programs that write auth.log.
    static let linux = """
    logsources:
      - product: linux
        service: auditd
        kinds: [linux.auditd, linux.process_creation]
      - product: linux
        category: file_event
        kinds: [linux.auditd, linux.file_event]
      - product: linux
        category: file_delete
        kinds: [linux.file_delete]
      - product: linux
        category: network_connection
        kinds: [linux.auditd, linux.network_connection]
      - product: linux
        service: sysmon
        kinds: [linux.process_creation, linux.network_connection, linux.file_event, linux.file_delete, linux.sysmon]
        where: {Channel: Linux-Sysmon/Operational}
      - product: linux
        service: sshd
        kinds: [linux.syslog, linux.ssh.login, linux.ssh.login_failed]
        where: {process.name: [sshd, sshd-session]}
      - product: linux
        service: sudo
        kinds: [linux.syslog, linux.sudo]
        where: {process.name: sudo}
      - product: linux
        service: cron
        kinds: [linux.syslog]
        where: {process.name: [cron, crond, anacron]}
      - product: linux
        service: vsftpd
        kinds: [linux.syslog]
        where: {process.name: vsftpd}
      - product: linux
        service: clamav
        kinds: [linux.syslog]
        where: {process.name: [clamd, freshclam, clamav-milter, clamscan, clamonacc]}
      - product: linux
        service: guacamole
        kinds: [linux.syslog]
        where: {process.name: [guacd, guacamole]}
      - product: linux
        service: syslog
        kinds: [linux.syslog, linux.ssh.login, linux.ssh.login_failed, linux.sudo]
      - product: linux
        service: auth
        kinds: [linux.syslog, linux.ssh.login, linux.ssh.login_failed, linux.sudo]
        where:
          process.name: [sshd, sshd-session, sshd-auth, sudo, su, login, passwd, chpasswd, chage, useradd, userdel, usermod, groupadd, groupdel, groupmod, gpasswd, systemd-logind, polkitd, pkexec, unix_chkpwd]
      # Rules for Linux with no service or category name no log: they are keywords meant for
      # whatever a Linux host writes (shell history, syslog, audit records).
      - product: linux
        kinds: [linux.syslog, linux.ssh.login, linux.ssh.login_failed, linux.sudo, linux.auditd, linux.process_creation, linux.network_connection, linux.file_event, linux.file_delete, linux.sysmon]
    """
}
