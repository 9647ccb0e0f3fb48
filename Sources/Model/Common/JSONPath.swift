/// Reading into vendor JSON by dotted path (`actor.alternateId`, `target.0.id`), the way
/// normalizers and mapping files name fields.
extension JSONValue {
    public func at(_ path: String) -> JSONValue? {
        // Most paths are one key (`eventType`): no walk at all.
        if !path.utf8.contains(UInt8(ascii: ".")) {
            guard case .object(let o) = self, let v = o[path] else { return nil }
            if case .null = v { return nil }
            return v
        }
        var current = self
        // Walks the path's bytes without splitting it into an array: normalizers call this for
        // every field of every event.
        let bytes = path.utf8
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ".")) ?? bytes.endIndex
            let part = String(path[start..<end])
            switch current {
            case .object(let o):
                guard let next = o[part] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(part), a.indices.contains(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
            guard end < bytes.endIndex else { break }
            start = bytes.index(after: end)
        }
        if case .null = current { return nil }
        return current
    }

    /// A non-empty string (or a number's text) at a path.
    public func string(_ path: String) -> String? {
        guard let s = at(path)?.stringValue, !s.isEmpty else { return nil }
        return s
    }

    public func int(_ path: String) -> Int64? {
        switch at(path) {
        case .int(let i)?: return i
        case .double(let d)?: return Int64(exactly: d.rounded())
        case .string(let s)?: return Int64(s)
        default: return nil
        }
    }

    public func bool(_ path: String) -> Bool? {
        switch at(path) {
        case .bool(let b)?: return b
        case .string(let s)?: return s == "true" ? true : s == "false" ? false : nil
        default: return nil
        }
    }

    /// True when the value is an object holding every one of `keys` (detection by structure).
    public func has(_ keys: String...) -> Bool {
        guard case .object(let o) = self else { return false }
        return keys.allSatisfy { o[$0] != nil }
    }
}
