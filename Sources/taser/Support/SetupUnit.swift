/// The systemd unit `taser setup team` writes. The daemon runs as the service account with the
/// service group, so the socket it makes (mode 660) is the group's to connect to; everything
/// else on the system is read-only to it except the database's folder.
enum SetupUnit {
    static let fileName = "taser.service"

    static func text(_ setup: TeamSetup) -> String {
        var service = [
            "Type=simple",
            "User=\(setup.user)",
            "Group=\(setup.group)",
            "ExecStart=\(setup.binary) serve --db \(setup.database) --socket \(setup.socket) --socket-mode 660",
        ]
        var writable = [setup.dir]
        if let runtime = setup.runtimeDirectory {
            // /run is emptied at boot: systemd makes the folder at each start, the group may enter it.
            service += ["RuntimeDirectory=\(runtime)", "RuntimeDirectoryMode=0750"]
        } else {
            writable.append(setup.socketDir)
        }
        service += [
            // Whatever the daemon makes (WAL files, a new key) is its own alone.
            "UMask=0077",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ReadWritePaths=\(writable.joined(separator: " "))",
            "Restart=on-failure",
        ]
        return """
            # Written by `taser setup team`, which rewrites it when run again: put local changes in a
            # drop-in (systemctl edit taser). Analysts connect with taser --server \(setup.socket).
            [Unit]
            Description=taser team-mode daemon (analysts' taser --server \(setup.socket))
            After=network.target

            [Service]
            \(service.joined(separator: "\n"))

            [Install]
            WantedBy=multi-user.target

            """
    }
}
