import Model

/// OpenCanary honeypot events, one JSON object per line as its file and stdout handlers write
/// them: `logtype` (a number naming what happened), `src_host`, `src_port`, `dst_host`,
/// `dst_port`, `node_id`, `utc_time`, `local_time`, and `logdata` with the service's details
/// (`USERNAME`, `PASSWORD`, `PATH`, `USERAGENT`, ...).
///
/// Fields: the event flattened under its own names (SigmaHQ's rules compare `logtype`), and ECS:
/// `event.action` (the logtype's name in OpenCanary's source), `source.ip`/`source.port`,
/// `destination.ip`/`destination.port`, `host.name` (the canary), `user.name` (a login tried),
/// `url.path`, `user_agent.original`.
///
/// Time: `utc_time` (written without a zone), else `local_time`. No id: the line's hash.
/// Severity: nobody has business touching a honeypot, so a touch is medium; a login attempt is
/// high; the canary's own messages (boot, debug, errors) are info.
struct OpenCanaryFormat: Format {
    let name = "opencanary"
    var jsonMarks: [[String]] { [["logtype", "node_id", "src_host"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, VendorJSON.int(e["logtype"]) != nil else { return false }
        return e["node_id"] != nil && (e["utc_time"] != nil || e["local_time"] != nil) && e["src_host"] != nil
    }

    /// OpenCanary's logger.py names, by number.
    static let logtypes: [Int64: String] = [
        1000: "boot", 1001: "message", 1002: "debug", 1003: "error", 1004: "ping", 1005: "config_save", 1006: "example",
        2000: "ftp_login_attempt", 3000: "http_get", 3001: "http_post_login_attempt", 4000: "ssh_new_connection",
        4001: "ssh_remote_version_sent", 4002: "ssh_login_attempt", 5000: "smb_file_open", 5001: "port_syn",
        5002: "port_nmap_os", 5003: "port_nmap_null", 5004: "port_nmap_xmas", 5005: "port_nmap_fin", 6001: "telnet_login_attempt",
        7001: "httpproxy_login_attempt", 8001: "mysql_login_attempt", 9001: "mssql_login_sqlauth", 9002: "mssql_login_winauth",
        10001: "tftp", 11001: "ntp_monlist", 12001: "vnc", 13001: "snmp_cmd", 14001: "rdp", 15001: "sip_request",
        16001: "git_clone_request", 17001: "redis_command", 18001: "tcp_banner_connection_made",
        18002: "tcp_banner_keep_alive_connection_made", 18003: "tcp_banner_keep_alive_secret_received",
        18004: "tcp_banner_keep_alive_data_received", 18005: "tcp_banner_data_received", 19001: "llmnr_query_response",
    ]

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try firstTime(e, ["utc_time", "local_time"])
        guard let logtype = VendorJSON.int(e["logtype"]) else { throw NormalizeError("opencanary: logtype is not a number") }
        let action = OpenCanaryFormat.logtypes[logtype] ?? (99000...99009 ~= logtype ? "user_\(logtype - 99000)" : "logtype_\(logtype)")
        var f: JSONObject = [:]
        f["event.action"] = .string(action)
        f["event.category"] = "intrusion_detection"
        if let ip = CloudFields.ip(e.string("src_host")) { f["source.ip"] = .string(ip) }
        if let port = VendorJSON.int(e["src_port"]), (0...65_535).contains(port) { f["source.port"] = .int(port) }
        if let ip = CloudFields.ip(e.string("dst_host")) { f["destination.ip"] = .string(ip) }
        if let port = VendorJSON.int(e["dst_port"]), (0...65_535).contains(port) { f["destination.port"] = .int(port) }
        ECS.copy(e, "node_id", to: "host.name", into: &f)
        let d = e.at("logdata") ?? .object([:])
        ECS.user(CloudFields.first(d, "USERNAME", "USER"), into: &f)
        ECS.copy(d, "PATH", to: "url.path", into: &f)
        ECS.copy(d, "USERAGENT", to: "user_agent.original", into: &f)
        ECS.copy(d, "HOSTNAME", to: "url.domain", into: &f)
        ECS.copy(d, "FILENAME", to: "file.path", into: &f)
        CloudFields.flatten(e, prefix: "", into: &f)

        let own = logtype < 2000
        let login = action.contains("login") || action.hasSuffix("_auth")
        let severity: Severity = own ? .info : login ? .high : .medium
        let from = e.string("src_host").map { " from \($0)" } ?? ""
        let port = VendorJSON.int(e["dst_port"]).map { $0 >= 0 ? ":\($0)" : "" } ?? ""
        let user = f["user.name"]?.stringValue.map { " as \($0)" } ?? ""
        let on = e.string("node_id").map { " on \($0)\(port)" } ?? ""
        let title = own
            ? "OpenCanary \(action)\(on)"
            : "Honeypot \(action.replacingOccurrences(of: "_", with: " "))\(from)\(user)\(on)"
        return [Normalized(time: time, source: "opencanary", sourceRef: nil, kind: .openCanary, severity: severity, title: title, fields: f, raw: record.raw)]
    }
}
