import Model

/// Builds filters the way an analyst would write them: no `all` of one thing, nested `any`s
/// flattened, and equality with several values as one `oneOf` test.
enum SigmaFilters {
    static func all(_ filters: [Filter]) -> Filter {
        let flat = filters.flatMap { f -> [Filter] in
            if case .all(let inner) = f { return inner }
            return [f]
        }
        if flat.count == 1, let only = flat.first { return only }
        return .all(flat)
    }

    static func any(_ filters: [Filter]) -> Filter {
        let flat = filters.flatMap { f -> [Filter] in
            if case .any(let inner) = f { return inner }
            return [f]
        }
        if flat.count == 1, let only = flat.first { return only }
        // Matches nothing: only reachable from an empty list, which callers report first.
        if flat.isEmpty { return .not(.always) }
        return oneOf(flat) ?? .any(flat)
    }

    /// `field = a OR field = b ...` as `field in (a, b, ...)`, when every member is such a test
    /// on the same field with the same case rule (null is left alone: `oneOf` never matches a
    /// missing field, `equals(.null)` does).
    private static func oneOf(_ filters: [Filter]) -> Filter? {
        var field: String?
        var cased: Bool?
        var values: [FilterValue] = []
        for f in filters {
            guard case .test(let name, let test) = f, field == nil || field == name else { return nil }
            let vs: [FilterValue], c: Bool
            switch test {
            case .equals(let v, let cs): (vs, c) = ([v], cs)
            case .oneOf(let v, let cs): (vs, c) = (v, cs)
            default: return nil
            }
            guard cased == nil || cased == c, !vs.contains(.null) else { return nil }
            field = name
            cased = c
            for v in vs where !values.contains(v) { values.append(v) }
        }
        guard let field, let cased else { return nil }
        return .test(field: field, .oneOf(values, cased: cased))
    }
}
