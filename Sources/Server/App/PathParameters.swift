import Hummingbird

extension BasicRequestContext {
    /// The path parameter `name` (`:source`, `:id`, ...) percent-decoded: the one place routes
    /// read a path parameter, so `/ingest/%6fkta` is source `okta` and
    /// `/api/query/USER_INFO/alice%40example.com` asks for `alice@example.com`. The router
    /// matches the raw path, so an escaped `/` (`%2F`) stays inside its parameter.
    func parameter(_ name: String) throws -> String {
        let raw = parameters.get(name) ?? ""
        guard let decoded = PercentDecoding.decode(raw) else {
            throw Refusal(
                .badRequest, "invalid_path",
                "the path part '\(raw.prefix(100))' is not valid percent-encoding: % must be followed by two hex digits and the bytes must be UTF-8 (write % itself as %25)")
        }
        return decoded
    }
}

enum PercentDecoding {
    /// `%XX` escapes decoded; nil for a `%` without two hex digits after it, or bytes that are
    /// not UTF-8. `+` stays `+`: it means a space only in forms, not in paths.
    static func decode(_ text: String) -> String? {
        guard text.utf8.contains(37) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var bytes = text.utf8.makeIterator()
        while let b = bytes.next() {
            guard b == 37 else {
                out.append(b)
                continue
            }
            guard let hi = bytes.next().flatMap(hex), let lo = bytes.next().flatMap(hex) else { return nil }
            out.append(hi << 4 | lo)
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}
