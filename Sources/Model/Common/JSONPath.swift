/// Reading into vendor JSON by dotted path (`actor.alternateId`, `target.0.id`), the way
/// normalizers and mapping files name fields.
extension JSONValue {
    public func at(_ path: String) -> JSONValue? {
        // Walks the path's bytes without making a `String` of each part: normalizers call this
        // for every field of every event.
        let found = path.utf8.withContiguousStorageIfAvailable { at(utf8: $0) }
            ?? Array(path.utf8).withUnsafeBufferPointer { at(utf8: $0) }
        if case .null? = found { return nil }
        return found
    }

    private func at(utf8 path: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        // A one-key path reads an object only (`0` is not an index into a top-level array).
        if case .object(let o) = self {
            // The first key read from the object in place (a path is mostly one key: format
            // detection asks every record several), without copying the document first.
            var end = 0
            while end < path.count, path[end] != UInt8(ascii: ".") { end += 1 }
            guard let next = o.value(utf8: UnsafeBufferPointer(rebasing: path[0..<end])) else { return nil }
            guard end < path.count else { return next }
            return next.at(utf8: path, from: end + 1)
        }
        guard path.contains(UInt8(ascii: ".")) else { return nil }
        return at(utf8: path, from: 0)
    }

    /// The value at the rest of `path`, from byte `start` on, read from this value.
    private func at(utf8 path: UnsafeBufferPointer<UInt8>, from start: Int) -> JSONValue? {
        var current = self
        var start = start
        while true {
            var end = start
            while end < path.count, path[end] != UInt8(ascii: ".") { end += 1 }
            let part = UnsafeBufferPointer(rebasing: path[start..<end])
            switch current {
            case .object(let o):
                guard let next = o.value(utf8: part) else { return nil }
                current = next
            case .array(let a):
                guard let i = JSONValue.index(part), a.indices.contains(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
            guard end < path.count else { return current }
            start = end + 1
        }
    }

    /// An array index as `Int(String)` reads one: optional sign, decimal digits.
    private static func index(_ part: UnsafeBufferPointer<UInt8>) -> Int? {
        Int(String(decoding: part, as: UTF8.self))
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

    // Four and five keys without the variadic array (GuardDuty's, CloudTrail's, Falco's marks).
    public func has(_ a: String, _ b: String, _ c: String, _ d: String) -> Bool {
        guard case .object(let o) = self else { return false }
        return o.hasAll(a, b, c) && o.hasAll(d)
    }

    public func has(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String) -> Bool {
        guard case .object(let o) = self else { return false }
        return o.hasAll(a, b, c) && o.hasAll(d, e)
    }

    // Detection asks every record these: one pass over the members, no array of keys.
    public func has(_ a: String) -> Bool {
        guard case .object(let o) = self else { return false }
        return o.hasAll(a)
    }

    public func has(_ a: String, _ b: String) -> Bool {
        guard case .object(let o) = self else { return false }
        return o.hasAll(a, b)
    }

    public func has(_ a: String, _ b: String, _ c: String) -> Bool {
        guard case .object(let o) = self else { return false }
        return o.hasAll(a, b, c)
    }
}
