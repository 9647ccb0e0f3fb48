import Model

/// ECS helpers for the text formats (CEF, LEEF, CSV), where every value arrives as a string.
enum TextECS {
    /// A string value, skipping the empty ones and the placeholders devices write for "none".
    static func set(_ value: String?, _ key: String, into f: inout JSONObject) {
        guard let v = clean(value) else { return }
        f[key] = .string(v)
    }

    static func clean(_ value: String?) -> String? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty, v != "-" else { return nil }
        return v
    }

    /// A port or counter: an integer when the text is one, else nothing (the raw text stays
    /// under the format's own prefix).
    static func int(_ value: String?, _ key: String, into f: inout JSONObject) {
        if let v = clean(value), let n = Int64(v) { f[key] = .int(n) }
    }

    /// A login into `<prefix>.name` (and `.domain`, `.email`) as the device wrote it: see
    /// `ECS.user`. `prefix` is `user`, `source.user` or `destination.user`.
    static func user(_ login: String?, prefix: String = "user", into f: inout JSONObject) {
        ECS.user(clean(login), prefix: prefix, into: &f)
    }

    /// `file.hash.md5|sha1|sha256|sha512` by the hex digest's length; nil when it is none of them.
    static func hashField(_ value: String?, prefix: String = "file.hash") -> (key: String, value: String)? {
        guard let v = clean(value), v.allSatisfy(\.isHexDigit) else { return nil }
        let algorithm: String
        switch v.count {
        case 32: algorithm = "md5"
        case 40: algorithm = "sha1"
        case 64: algorithm = "sha256"
        case 128: algorithm = "sha512"
        default: return nil
        }
        return ("\(prefix).\(algorithm)", v.lowercased())
    }

    /// `network.transport` from a protocol name or IANA number (`TCP`, `6`).
    static func transport(_ value: String?, into f: inout JSONObject) {
        guard let v = clean(value) else { return }
        if let n = Int64(v) {
            f["network.iana_number"] = .string(String(n))
            let names: [Int64: String] = [1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 58: "ipv6-icmp", 132: "sctp"]
            if let name = names[n] { f["network.transport"] = .string(name) }
        } else {
            f["network.transport"] = .string(v.lowercased())
        }
    }

    /// A device's 0-10 severity (CEF, LEEF `sev`): 0 info, 1-3 low, 4-6 medium, 7-8 high, 9-10 critical.
    static func severity(tenScale n: Int) -> Severity {
        switch n {
        case ...0: .info
        case 1...3: .low
        case 4...6: .medium
        case 7...8: .high
        default: .critical
        }
    }

    /// A label as a field name segment: `Threat Name` -> `threat_name`.
    static func slug(_ label: String) -> String {
        var out = ""
        var underscore = false
        for ch in label.lowercased() {
            if ch.isLetter || ch.isNumber {
                if underscore && !out.isEmpty { out.append("_") }
                out.append(ch)
                underscore = false
            } else {
                underscore = true
            }
        }
        return out
    }

    /// Whether a value is an IP address (v4 dotted quad or v6 with colons), so host-name fields
    /// holding an address are not read as names.
    static func looksLikeIP(_ v: String) -> Bool {
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) { return true }
        return v.contains(":") && v.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
