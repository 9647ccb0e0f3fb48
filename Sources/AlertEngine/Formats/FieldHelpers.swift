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
        if case .string(let s) = v, s.trimmed.isEmpty { return }
        fields[key] = v
    }

    static func int(_ json: JSONValue, _ path: String, to key: String, into fields: inout JSONObject) {
        if let v = json.int(path) { fields[key] = .int(v) }
    }
}
