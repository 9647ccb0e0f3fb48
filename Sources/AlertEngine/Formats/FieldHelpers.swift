import Model

/// Small pieces every format uses to fill ECS fields.
enum ECS {
    /// A login as rules compare it: `jane.doe@example.com` and `jane.doe` are one user across
    /// Okta (which logs the email) and Duo (which logs the username), so `user.name` keeps the
    /// part before the `@` and `user.email` the whole address.
    static func user(_ login: String?, into fields: inout JSONObject) {
        guard let login, !login.isEmpty else { return }
        if let at = login.firstIndex(of: "@"), at != login.startIndex {
            fields["user.name"] = .string(String(login[..<at]).lowercased())
            fields["user.email"] = fields["user.email"] ?? .string(login.lowercased())
        } else {
            fields["user.name"] = .string(login.lowercased())
        }
    }

    /// Copies a value when present, so absent vendor fields leave no nulls behind. Blank text is
    /// absent too: vendors write `""` for "none" (CarbonBlack's `device_os_version` on container
    /// alerts, CloudTrail's `accessKeyId` on console logins).
    static func copy(_ json: JSONValue, _ path: String, to key: String, into fields: inout JSONObject) {
        guard let v = json.at(path) else { return }
        if case .string(let s) = v, meansAbsent(s) { return }
        fields[key] = v
    }

    /// The time for an event that carries none: now, with `event.ingested` (ECS's "when it
    /// arrived") and `taser.time: received` saying the time is taser's, not the device's.
    static func received(into fields: inout JSONObject) -> Timestamp {
        let now = Timestamp.now
        fields["event.ingested"] = .string(now.iso8601)
        fields["taser.time"] = .string("received")
        return now
    }

    /// Words vendors write for "no value" (Okta's `ipAddress: "null"`, `zone: "null"`; `N/A`).
    static func meansAbsent(_ text: String) -> Bool {
        switch text.trimmed.lowercased() {
        case "", "null", "(null)", "n/a", "nil", "undefined": true
        default: false
        }
    }

    /// After a format has read a record, over every format alike: an address field holding a
    /// word for "none" is absent, and one with a port (`203.0.113.5:51234`, `[2001:db8::1]:443`)
    /// becomes the address and, where ECS has one beside it, the port.
    static func tidy(_ fields: inout JSONObject) {
        for key in fields.keys where key.hasSuffix(".ip") {
            guard case .string(let text)? = fields[key] else { continue }
            if meansAbsent(text) {
                fields[key] = nil
                continue
            }
            guard IPAddress(text) == nil, let (address, port) = splitPort(text) else { continue }
            fields[key] = .string(address)
            let portKey = String(key.dropLast(3)) + ".port"
            if ["source.port", "destination.port", "client.port", "server.port"].contains(portKey), fields[portKey] == nil {
                fields[portKey] = .int(Int64(port))
            }
        }
    }

    /// `a.b.c.d:port` or `[v6]:port`, when the address is one and the port is 0...65535.
    static func splitPort(_ text: String) -> (String, Int)? {
        let t = text.trimmed
        let address: Substring, port: Substring
        if t.hasPrefix("["), let close = t.firstIndex(of: "]") {
            address = t[t.index(after: t.startIndex)..<close]
            let rest = t[t.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            port = rest.dropFirst()
        } else {
            let parts = t.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            (address, port) = (parts[0], parts[1])
        }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0 >= "0" && $0 <= "9" }), let n = Int(port), n <= 65_535,
            let ip = IPAddress(String(address))
        else { return nil }
        return (ip.text, n)
    }

    static func int(_ json: JSONValue, _ path: String, to key: String, into fields: inout JSONObject) {
        if let v = json.int(path) { fields[key] = .int(v) }
    }
}
