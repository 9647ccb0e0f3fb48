import Foundation
import Model

/// Pieces the JSON vendor formats share (CarbonBlack, Suricata, CloudTrail, GuardDuty, Falco,
/// Wazuh, Splunk) beyond what `ECS` offers.
enum VendorJSON {
    /// Whether a vendor's "address" is an IP, as opposed to a host or service name: CloudTrail's
    /// `sourceIPAddress` is `ec2.amazonaws.com` when a service calls, Splunk's `src` is whatever
    /// the search produced. Only IPs may go into `*.ip` fields.
    static func isIP(_ s: String) -> Bool { IPAddress(s) != nil }

    /// The last component of a Windows or POSIX path: CarbonBlack's `process_name` is sometimes
    /// `powershell.exe`, sometimes `c:\windows\...\powershell.exe`.
    static func basename(_ path: String) -> String {
        // Separators are Characters of their own in ASCII text: found by their bytes, in the
        // pass that finds the text is ASCII, and the name made from the bytes after the last
        // one (slicing the `String` at a UTF-8 index checked that index against the text's
        // scalars and characters first); nil when the text is not ASCII.
        let ascii = path.utf8.withContiguousStorageIfAvailable { b -> String? in
            var high: UInt8 = 0, last = -1
            for i in b.indices {
                high |= b[i]
                if b[i] == 0x2F || b[i] == 0x5C { last = i }
            }
            guard high < 0x80 else { return nil }
            return last < 0 ? path : String(decoding: UnsafeBufferPointer(rebasing: b[(last + 1)...]), as: UTF8.self)
        }
        if let name = ascii ?? nil { return name }
        guard let cut = path.lastIndex(where: { $0 == "/" || $0 == "\\" }) else { return path }
        return String(path[path.index(after: cut)...])
    }

    static func isPath(_ s: String) -> Bool {
        // Without either byte the text holds neither Character: answered without Foundation;
        // in ASCII text each byte is a Character of its own, so the bytes answer there too.
        guard s.utf8.contains(where: { $0 == 0x2F || $0 == 0x5C }) else { return false }
        if s.isASCII { return true }
        return s.contains("/") || s.contains("\\")
    }

    /// Whether a name reads as a host name: dot-separated labels of letters, digits and `-`,
    /// none empty or longer than 63, not starting or ending with `-` (`WS-JDOE-01`,
    /// `jdoe-mbp.corp.example.com`), and not an IP. Phone numbers and "Jane's iPhone" are not.
    static func isHostname(_ s: String) -> Bool {
        let name = hostname(s)
        guard !name.isEmpty, name.utf8.count <= 253, !isIP(name), name.contains(where: \.isLetter) else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// A DNS name as written on the wire may end in the root dot (`p33-btmmdns.icloud.com.`).
    static func hostname(_ s: String) -> String {
        var name = s
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// A URL as a log names it: absolute (`http://host/path?q`) into `url.original`, or a request
    /// target (`/path?q`) into `url.path` and `url.query`, which are not URLs by themselves.
    static func url(_ value: String?, into fields: inout JSONObject) {
        guard let value, !value.isEmpty, value != "-" else { return }
        if let scheme = value.range(of: "://"), value[..<scheme.lowerBound].allSatisfy(\.isLetter) {
            fields["url.original"] = .string(value)
            return
        }
        let parts = value.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        fields["url.path"] = .string(String(parts[0]))
        if parts.count > 1, !parts[1].isEmpty { fields["url.query"] = .string(String(parts[1])) }
    }

    /// A value that is a string or an array of strings, as a list.
    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let s)?: return s.isEmpty ? [] : [s]
        case .array(let a)?: return a.compactMap { $0.stringValue }.filter { !$0.isEmpty }
        default: return []
        }
    }

    /// A number that may arrive as a JSON number or its text (Splunk sends every value as text).
    static func double(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        case .string(let s)?: return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// A whole number that may arrive as a JSON number or its text.
    static func int(_ value: JSONValue?) -> Int64? {
        switch value {
        case .int(let i)?: return i
        case .double(let d)?: return Int64(exactly: d.rounded())
        case .string(let s)?: return Int64(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// An address into `<side>.ip` when it is one, else `<side>.domain` when it reads as a DNS
    /// name; `<side>.address` always keeps what the vendor wrote.
    static func address(_ value: String?, side: String, into fields: inout JSONObject) {
        guard let value, !value.isEmpty, value != "-" else { return }
        fields["\(side).address"] = .string(value)
        if isIP(value) {
            fields["\(side).ip"] = .string(value)
        } else if value.contains("."), !value.contains(" ") {
            fields["\(side).domain"] = .string(hostname(value).lowercased())
        }
    }

    /// AWS SDK and CLI output names members in PascalCase (`AccessKeyDetails`, `IpAddressV4`);
    /// the service's own JSON (S3 exports, EventBridge) uses camelCase. Lowering each key's first
    /// letter turns the former into the latter, so one normalizer reads both.
    static func camelCased(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            var out: JSONObject = [:]
            for (key, v) in o {
                let lowered = key.prefix(1).lowercased() + key.dropFirst()
                out[lowered] = camelCased(v)
            }
            return .object(out)
        case .array(let a):
            return .array(a.map(camelCased))
        default:
            return value
        }
    }
}

extension Format {
    /// A required time from the first of `paths` that holds a non-empty value (vendors leave
    /// optional timestamps as `""`); the error names every path tried.
    func time(_ json: JSONValue, among paths: [String]) throws(NormalizeError) -> Timestamp {
        for path in paths {
            guard let v = json.at(path) else { continue }
            if case .string(let s) = v, s.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            return try time(json, path)
        }
        throw NormalizeError("\(name): no time (\(paths.joined(separator: " or ")))")
    }
}
