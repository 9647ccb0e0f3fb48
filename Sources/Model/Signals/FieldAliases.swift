/// Short names analysts use for normalized fields (`username`, `src_ip`), resolved to ECS names.
/// Rules' group-by, mapping files and filters all resolve through this one table.
public enum FieldAliases {
    public static let table: [String: String] = [
        "user": "user.name", "username": "user.name", "user_name": "user.name", "login": "user.name",
        "email": "user.email", "target_user": "destination.user.name",
        "src": "source.ip", "src_ip": "source.ip", "source_ip": "source.ip", "srcip": "source.ip",
        "dst": "destination.ip", "dst_ip": "destination.ip", "dest_ip": "destination.ip", "destination_ip": "destination.ip",
        "dstip": "destination.ip",
        "src_port": "source.port", "sport": "source.port", "dst_port": "destination.port", "dest_port": "destination.port",
        "dport": "destination.port",
        "host": "host.name", "hostname": "host.name", "host_name": "host.name", "device": "host.name",
        "host_ip": "host.ip", "domain": "url.domain", "url": "url.full", "user_agent": "user_agent.original",
        "md5": "file.hash.md5", "sha1": "file.hash.sha1", "sha256": "file.hash.sha256",
        "file": "file.name", "filename": "file.name", "path": "file.path", "process": "process.name",
        "command_line": "process.command_line", "cmdline": "process.command_line",
        "country": "source.geo.country_name", "city": "source.geo.city_name",
        "action": "event.action", "outcome": "event.outcome", "message": "message", "rule": "rule.name",
        "signature": "rule.name", "category": "rule.category", "cve": "vulnerability.id",
    ]

    /// The ECS name for a field as written; names already in ECS form pass through.
    public static func resolve(_ name: String) -> String {
        table[name.lowercased()] ?? name
    }
}
