import Model

/// Small pieces every format uses to fill ECS fields.
enum ECS {
    /// A login as the vendor wrote it, case and all (issue 13: values verbatim, comparisons
    /// folded; rules, filters and pivots fold case themselves, and identity resolution links
    /// `Jane.Doe@Example.com` to `jane.doe`):
    /// - `DOMAIN\user` is `<prefix>.domain` DOMAIN and `<prefix>.name` user (ECS: "name of the
    ///   directory the user is a member of", e.g. an Active Directory domain);
    /// - an email address is the whole address in `<prefix>.name`, and in `<prefix>.email`
    ///   unless the record named an email of its own (Duo's `email`);
    /// - anything else is `<prefix>.name` as written.
    /// `prefix` is `user`, `source.user`, `destination.user`, `user.target`...; `domainKey`
    /// places the domain elsewhere when ECS has no `<prefix>.domain` (`process.user`).
    static func user(_ login: String?, prefix: String = "user", domainKey: String? = nil, into fields: inout JSONObject) {
        user(login, keys: UserKeys(prefix: prefix, domainKey: domainKey), into: &fields)
    }

    /// The keys `user` writes for one prefix, worked out once by a normalizer that writes them
    /// for every event.
    struct UserKeys: Sendable {
        let domain: JSONKey
        let name: JSONKey
        /// Nil when the domain goes elsewhere (`domainKey`): then no email is written either.
        let email: JSONKey?

        init(prefix: String, domainKey: String? = nil) {
            domain = JSONKey(domainKey ?? "\(prefix).domain")
            name = JSONKey("\(prefix).name")
            email = domainKey == nil ? JSONKey("\(prefix).email") : nil
        }

        static let user = UserKeys(prefix: "user")
        static let userTarget = UserKeys(prefix: "user.target")
    }

    /// As `user(_:prefix:domainKey:into:)`, by keys worked out beforehand.
    /// `distinct`: the fields have none of the keys yet, so they are added without a look.
    static func user(_ login: String?, keys: UserKeys, distinct: Bool = false, into fields: inout JSONObject) {
        guard let login = login?.trimmed, !login.isEmpty, !meansAbsent(login) else { return }
        func put(_ key: JSONKey, _ value: String) {
            if distinct { fields.append(distinct: key, .string(value)) } else { fields[key] = .string(value) }
        }
        if let (domain, name) = windowsLogin(login) {
            put(keys.domain, domain)
            put(keys.name, name)
            return
        }
        put(keys.name, login)
        if let email = keys.email, isEmail(login), distinct || fields[email] == nil {
            put(email, login)
        }
    }

    /// `CORP\jdoe` as (`CORP`, `jdoe`); nil without a backslash or with an empty side.
    static func windowsLogin(_ login: String) -> (domain: String, name: String)? {
        // A backslash is a Character of its own in ASCII text: found by its byte, and both sides
        // made from their bytes (slicing the `String` checked each index against its characters).
        let ascii = login.utf8.withContiguousStorageIfAvailable { b -> (domain: String, name: String)?? in
            var high: UInt8 = 0, slash = -1, slashes = 0
            for i in b.indices {
                high |= b[i]
                if b[i] == 0x5C {
                    if slash < 0 { slash = i }
                    slashes += 1
                }
            }
            guard high < 0x80 else { return nil }  // not ASCII: read by Characters below
            guard slash > 0, slashes == 1, slash + 1 < b.count else { return .some(nil) }
            let domain = String(decoding: UnsafeBufferPointer(rebasing: b[..<slash]), as: UTF8.self)
            let name = String(decoding: UnsafeBufferPointer(rebasing: b[(slash + 1)...]), as: UTF8.self)
            return .some((domain, name))
        }
        if let answer = ascii ?? nil { return answer }
        guard let slash = login.firstIndex(of: "\\"), slash != login.startIndex else { return nil }
        let name = login[login.index(after: slash)...]
        guard !name.isEmpty, !name.contains("\\") else { return nil }
        return (String(login[..<slash]), String(name))
    }

    /// Whether a login is an email address (a local part, `@`, a dotted domain), as the artifact
    /// extractor would take it.
    static func isEmail(_ login: String) -> Bool {
        // No `@` byte, no `@` (nothing else is one): most logins are answered without Foundation.
        login.utf8.contains(0x40) && login.contains("@") && EmailAddress.canonicalField(login) != nil
    }

    /// A mention a format names itself, in the form the field extractor would give it (hosts
    /// and logins folded to lowercase, so pivots meet), or nil when the value is not one.
    /// An address written with its port (`192.168.225.254:4321`) is the address.
    static func mention(_ type: ArtifactType, _ value: String?, role: String) -> ArtifactMention? {
        guard var value else { return nil }
        if type == .ip, IPAddress(value) == nil, let (address, _) = splitPort(value) { value = address }
        guard let clean = ArtifactExtractor.validate(value, as: type) else { return nil }
        return ArtifactMention(type, clean, role: role)
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
        // ASCII longer than the longest word, with no space at either end to trim: none of them.
        if let first = text.utf8.first, let last = text.utf8.last, text.utf8.count > 9, !ASCII.isSpace(first), !ASCII.isSpace(last),
           text.isASCII
        {
            return false
        }
        return switch text.trimmed.lowercased() {
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
