import Model

/// A rule as written, before its kinds and fields are resolved: each name keeps the token it
/// came from, so the compiler can point at it.
struct RuleSyntax {
    var clauses: [ClauseSyntax]
    /// The joiners between clauses (`+` or `THEN`), for the "use one of them" error.
    var joiners: [Token]
    var window: (ms: Int64, at: Token)
    var groupBy: [Name]
    var title: String?
    var severity: Name?
    var team: String?
    var tags: [String]
    var suppress: (ms: Int64, at: Token)?
    /// `CASED`: group-by and DISTINCT values keep their case.
    var cased = false
}

struct ClauseSyntax {
    var count: (value: Int, at: Token)
    var distinct: Name?
    /// The kind as written (`failed Duo pushes`) and where it starts.
    var kind: Name
    var filter: FilterSyntax?
    /// The clause's text between its parentheses.
    var text: String
}

/// A name and where it is.
struct Name {
    var text: String
    var at: Token
}

indirect enum FilterSyntax {
    case all([FilterSyntax])
    case any([FilterSyntax])
    case not(FilterSyntax)
    case test(Name, TestSyntax)
    /// Free text (`"invoice_8812.exe"`, or a bare word): searches only, never rules.
    case text(String, at: Token)
}

/// A search as written: a filter, then an optional time range.
struct SearchSyntax {
    var filter: FilterSyntax?
    var since: (text: String, at: Token)?
    var until: (text: String, at: Token)?
}

enum TestSyntax {
    case compare(String, ValueSyntax)        // = != < <= > >=
    case oneOf([ValueSyntax])                // IN ("a", "b")
    case network(String, at: Token)          // IN "10.0.0.0/8"
    case contains(String), startsWith(String), endsWith(String), matches(String)
    case exists
}

struct ValueSyntax {
    var value: FilterValue
    var at: Token
}
