import Foundation

/// The SIEM forwarders' settings, checked when the file is read so that a mistake is one line at
/// startup rather than a dead letter per message: URLs are a collector's base, index names are
/// what Splunk and Elasticsearch accept, a syslog port is a port.
extension EndpointConfig {
    static func checkForwarding(_ type: EndpointType, _ s: Settings, where at: String) throws(SyncError) {
        switch type {
        case .splunkHEC:
            try checkBaseURL(s, where: at, type: type, suffixes: ["/services/collector"])
            if let index = try s.string("index") {
                // Splunk's rule for index names: lower case letters, digits, _ and -, not first.
                guard let first = index.first, first != "_", first != "-",
                      index.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" })
                else {
                    throw .config("\(at): index '\(index)' is not a Splunk index name (lower case letters, digits, _ and -, not starting with _ or -)")
                }
            }
            if let host = try s.string("host"), host.isEmpty || host.contains(where: \.isNewline) {
                throw .config("\(at): host is the host name Splunk files the events under, one line; leave it out for this machine's name")
            }
        case .elasticsearch:
            try checkBaseURL(s, where: at, type: type, suffixes: ["/_bulk"])
            if let index = try s.string("index") { try checkElasticIndex(index, where: at) }
            let apiKey = try s.string("api_key"), username = try s.string("username"), password = try s.string("password")
            if apiKey != nil, username != nil || password != nil {
                throw .config("\(at): give api_key or username and password, not both")
            }
            if (username == nil) != (password == nil) {
                throw .config("\(at): username and password go together (password: \"${secret:NAME}\"); or use api_key")
            }
        case .syslog:
            // One colon is `name:port`; an IPv6 address has at least two.
            guard let host = try s.string("host"), !host.isEmpty, host.filter({ $0 == ":" }).count != 1,
                  !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" })
            else {
                let given = (try? s.string("host")) ?? nil
                throw .config("\(at): host must be the collector's name or address (siem.example.com, 10.0.0.5, ::1), not '\(given ?? "")'; the port goes in port:")
            }
            let tls = try s.bool("tls") ?? false
            _ = try s.int("port", in: 1...65535)
            if let ca = try s.string("ca_file") {
                guard tls else { throw .config("\(at): ca_file is for TLS; add tls: true, or remove ca_file") }
                guard FileManager.default.isReadableFile(atPath: ca) else {
                    throw .config("\(at): ca_file \(ca) cannot be read; give the PEM file of the CA that signed the collector's certificate")
                }
            }
        case .thehive, .slack, .jira, .webhook:
            break
        }
    }

    /// An http(s) URL to which taser adds the API's path; a URL that already has it is the most
    /// likely mistake, so it is named. A URL written as a secret reference is checked when used.
    private static func checkBaseURL(_ s: Settings, where at: String, type: EndpointType, suffixes: [String]) throws(SyncError) {
        guard let url = try s.string("url"), !url.contains("${") else { return }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host?.isEmpty == false else {
            throw .config("\(at): url must be http:// or https:// and a host\(type.example("url")), not '\(url)'")
        }
        for suffix in suffixes where parsed.path.contains(suffix) {
            throw .config("\(at): url is the base (\(parsed.scheme ?? "https")://\(parsed.host ?? "")\(parsed.port.map { ":\($0)" } ?? "")); taser adds \(suffix)")
        }
    }

    /// Elasticsearch's rules for an index name, so that a bad one is refused here and not by
    /// every bulk request.
    private static func checkElasticIndex(_ index: String, where at: String) throws(SyncError) {
        let forbidden: Set<Character> = ["\\", "/", "*", "?", "\"", "<", ">", "|", ",", "#", ":", " "]
        guard !index.isEmpty, index != ".", index != "..", index.utf8.count <= 255, index == index.lowercased(),
              let first = index.first, !["-", "_", "+"].contains(first), !index.contains(where: { forbidden.contains($0) || $0.isNewline })
        else {
            throw .config("\(at): index '\(index)' is not an Elasticsearch index name (lower case, no spaces or \\ / * ? \" < > | , # :, not starting with - _ +)")
        }
    }

    /// syslog: TLS or not (`tls: true`); checked when read.
    var usesTLS: Bool { ((try? settings.bool("tls")) ?? nil) ?? false }

    /// syslog: the collector's port; RFC 5425's 6514 with TLS, RFC 6587's 601 without.
    var port: Int { ((try? settings.int("port", in: 1...65535)) ?? nil) ?? (usesTLS ? 6514 : 601) }
}
