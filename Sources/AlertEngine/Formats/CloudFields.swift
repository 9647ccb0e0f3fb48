import Model

/// Pieces the cloud and SaaS audit formats share (Azure, Microsoft 365, Google Cloud, GitHub,
/// Kubernetes, OpenCanary).
///
/// SigmaHQ's rules for these sources name the vendor's own fields, nested ones as dotted paths
/// (`properties.message`, `objectRef.resource`, `protoPayload.methodName`). So each format keeps
/// the record itself as flat dotted keys beside the ECS fields, and a rule matches unchanged.
enum CloudFields {
    /// Vendor records are small, but an input could hold a deep or wide object: the flattened
    /// copy stops at these bounds (the raw record always keeps everything).
    static let maxKeys = 400
    static let maxDepth = 8
    /// A flattened string longer than this is cut: fields are for matching and pivots, and the
    /// raw body keeps the whole value.
    static let maxValue = 8192

    /// `value` as dotted keys under `prefix` (`properties.deviceDetail.trustType`), into `fields`.
    /// - A scalar is kept as the vendor wrote it, empty strings included (rules test
    ///   `DeviceDetail.deviceId: ''`); nulls are absent.
    /// - An array of scalars stays an array (a rule's value matches any element).
    /// - An array of objects is kept as its JSON text under its own key (rules write
    ///   `TargetResources|contains: ...`), and each leaf below it as the array of the elements'
    ///   values (`properties.targetResources.modifiedProperties.newValue`).
    /// Keys already in `fields` are not overwritten, so a format's own derived fields win.
    static func flatten(_ value: JSONValue, prefix: String, into fields: inout JSONObject) {
        var out = JSONObject()
        add(value, prefix, depth: 0, into: &out)
        for (key, v) in out where fields[key] == nil { fields[key] = v }
    }

    private static func add(_ value: JSONValue, _ key: String, depth: Int, into out: inout JSONObject) {
        guard out.count < maxKeys else { return }
        switch value {
        case .null:
            return
        case .string(let s):
            guard !key.isEmpty else { return }
            out[key] = .string(s.utf8.count > maxValue ? String(s.prefix(maxValue)) : s)
        case .bool, .int, .double:
            guard !key.isEmpty else { return }
            out[key] = value
        case .object(let o):
            guard depth < maxDepth else {
                if !key.isEmpty { out[key] = .string(String(value.text.prefix(maxValue))) }
                return
            }
            for (k, v) in o.sorted {
                add(v, key.isEmpty ? k : "\(key).\(k)", depth: depth + 1, into: &out)
            }
        case .array(let items):
            guard !key.isEmpty else { return }
            guard items.contains(where: { $0.objectValue != nil || $0.arrayValue != nil }) else {
                let scalars = items.filter { if case .null = $0 { return false } else { return true } }
                out[key] = .array(Array(scalars.prefix(maxKeys)))
                return
            }
            out[key] = .string(String(value.text.prefix(maxValue)))
            guard depth < maxDepth else { return }
            // Each element's leaves, gathered per key across the elements.
            var gathered: [String: [JSONValue]] = [:]
            var order: [String] = []
            for item in items.prefix(maxKeys) {
                guard case .object(let o) = item else { continue }
                var one = JSONObject()
                for (k, v) in o.sorted { add(v, "\(key).\(k)", depth: depth + 1, into: &one) }
                for (k, v) in one {
                    if gathered[k] == nil { order.append(k) }
                    if case .array(let more) = v { gathered[k, default: []] += more } else { gathered[k, default: []].append(v) }
                }
            }
            for k in order where out.count < maxKeys {
                guard let values = gathered[k], out[k] == nil else { continue }
                out[k] = .array(Array(values.prefix(maxKeys)))
            }
        }
    }

    /// The first non-empty string among `paths`.
    static func first(_ json: JSONValue, _ paths: String...) -> String? {
        for path in paths {
            if let s = json.string(path), !ECS.meansAbsent(s) { return s }
        }
        return nil
    }

    /// `text`, cut to `limit` characters for a title.
    static func short(_ text: String, _ limit: Int = 120) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// A time written `M/d/yyyy h:mm:ss AM` (UTC), as Azure's risk detection exports do.
    static func usTime(_ text: String) -> Timestamp? {
        let parts = text.trimmed.split(separator: " ")
        guard parts.count == 3 else { return nil }
        let date = parts[0].split(separator: "/"), clock = parts[1].split(separator: ":")
        guard date.count == 3, clock.count == 3, date.allSatisfy({ $0.count <= 4 }), clock.allSatisfy({ $0.count <= 2 }),
              let month = Int(date[0]), let day = Int(date[1]), let year = Int(date[2]),
              var hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]), (1...12).contains(hour)
        else { return nil }
        switch parts[2].uppercased() {
        case "AM": if hour == 12 { hour = 0 }
        case "PM": if hour != 12 { hour += 12 }
        default: return nil
        }
        return LogTime.timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}

extension Format {
    /// A required time from the first of `paths` that reads as one; unlike `time(_:among:)`, a
    /// path holding something else is passed over (Azure writes `time` in several forms across
    /// categories, and the record names the same moment elsewhere too).
    func firstTime(_ json: JSONValue, _ paths: [String]) throws(NormalizeError) -> Timestamp {
        for path in paths {
            guard let v = json.at(path) else { continue }
            switch v {
            case .int(let n): if let t = Timestamp(epoch: Double(n)) { return t }
            case .double(let d): if let t = Timestamp(epoch: d) { return t }
            case .string(let s):
                if let t = Timestamp(parsing: s), Timestamp.plausible.contains(t.ms) { return t }
                if let t = CloudFields.usTime(s) { return t }
            default: continue
            }
        }
        throw NormalizeError("\(name): no readable time (\(paths.joined(separator: " or ")))")
    }
}

extension CloudFields {
    /// An address as SaaS logs write it: an IP, or an IP with its port (`203.0.113.5:51234`,
    /// `[2001:db8::1]:443`); nil for anything else (`private`, a host name).
    static func ip(_ text: String?) -> String? {
        guard let text = text?.trimmed, !text.isEmpty else { return nil }
        if VendorJSON.isIP(text) { return text }
        return ECS.splitPort(text)?.0
    }
}
