import Model

/// A Sigma field is read from the event's own field of that name first, and from the field the
/// mapping names (its ECS name) only when the event has no such field. A Windows event keeps
/// `Image` and `TargetUserName` as Windows wrote them, so a rule reads them unchanged, while a
/// CarbonBlack process event, which has only `process.executable`, is still read through the
/// mapping. Two Sigma fields never fold into one where the event has both (`SubjectUserName`
/// and `TargetUserName` stay two fields), and values are never rewritten.
enum SigmaOwnFields {
    /// The filter `f`, written over the Sigma field `own`, made to read `own` when the event
    /// has it and `mapped` when it does not: exact for any filter, negations included, since it
    /// chooses the field before the test rather than trying both.
    static func wrap(_ f: Filter, own: String, mapped: String) -> Filter {
        guard own != mapped, f.fields.contains(own) else { return f }
        return .any([
            SigmaFilters.all([.test(field: own, .present), f]),
            SigmaFilters.all([.test(field: own, .absent), renamed(f, from: own, to: mapped)]),
        ])
    }

    static func renamed(_ f: Filter, from: String, to: String) -> Filter {
        func name(_ n: String) -> String { n == from ? to : n }
        switch f {
        case .all(let fs): return .all(fs.map { renamed($0, from: from, to: to) })
        case .any(let fs): return .any(fs.map { renamed($0, from: from, to: to) })
        case .not(let inner): return .not(renamed(inner, from: from, to: to))
        case .test(let field, let test): return .test(field: name(field), test)
        case .sameAs(let a, let b, let cased): return .sameAs(field: name(a), other: name(b), cased: cased)
        case .always, .anyField: return f
        }
    }
}
