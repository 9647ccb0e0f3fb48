import Model

/// How Sigma's names map to taser's: field names to ECS fields, logsources to signal kinds,
/// placeholder values for `expand`, and (optionally) the only fields a keyword search reads;
/// without `keywords:` a keyword is searched in every text field of the event. taser ships one
/// (`builtIn`, the YAML in SigmaBuiltInMapping.swift); a user's file is merged over it:
///
///     fields:
///       TargetUserName: user.name
///     logsources:
///       - product: windows
///         service: security
///         kinds: [wazuh.alert]
///         where: {Channel: Security}
///     placeholders:
///       admin_users: [root, administrator]
///     keywords: [message, process.command_line]
public struct SigmaFieldMapping: Sendable {
    /// One `logsources:` entry: the logsource keys it names (nil: any), the kinds they read,
    /// and what else a signal of those kinds must hold to be of this logsource (`where:`, as
    /// pySigma's pipelines add `Channel: Security` for `service: security`): field -> any of
    /// these values, equal ignoring case.
    public struct LogSource: Sendable, Hashable {
        public var product: String?
        public var service: String?
        public var category: String?
        public var kinds: [String]
        public var conditions: [String: [String]]

        public init(product: String? = nil, service: String? = nil, category: String? = nil, kinds: [String], conditions: [String: [String]] = [:]) {
            self.product = product?.lowercased()
            self.service = service?.lowercased()
            self.category = category?.lowercased()
            self.kinds = kinds
            self.conditions = conditions
        }

        /// The `where:` conditions as a filter, nil when there are none.
        var condition: Filter? {
            guard !conditions.isEmpty else { return nil }
            return SigmaFilters.all(conditions.keys.sorted().map { field in
                let values = conditions[field] ?? []
                return values.count == 1 ? .test(field: field, .equals(.text(values[0]))) : .test(field: field, .oneOf(values.map { .text($0) }))
            })
        }

        /// How many keys the entry names: the most specific matching entries win.
        var specificity: Int { [product, service, category].compactMap { $0 }.count }

        var key: [String?] { [product, service, category] }

        /// An entry that leaves a key out reads any value of it, except that a rule's category
        /// or service must be named: an entry for `product: windows` alone must not take a rule
        /// for `category: file_access`, a kind of event taser does not read, onto every Windows
        /// event (it would import and silently never fire; refused, the analyst sees why).
        func matches(product p: String?, service s: String?, category c: String?) -> Bool {
            func same(_ mine: String?, _ theirs: String?) -> Bool { mine == nil || mine == theirs?.lowercased() }
            func named(_ mine: String?, _ theirs: String?) -> Bool { theirs == nil || mine == theirs?.lowercased() }
            return same(product, p) && same(service, s) && same(category, c) && named(service, s) && named(category, c)
        }
    }

    /// Sigma field name -> ECS field, as written (exact first, then ignoring case).
    public var fields: [String: String]
    public var logsources: [LogSource]
    /// `%name%` -> values, for the `expand` modifier.
    public var placeholders: [String: [String]]
    /// The fields a Sigma keyword (a value with no field) is searched in; empty (the built-in
    /// mapping): every text field of the event.
    public var keywordFields: [String]

    public init(fields: [String: String] = [:], logsources: [LogSource] = [], placeholders: [String: [String]] = [:], keywordFields: [String] = []) {
        self.fields = fields
        self.logsources = logsources
        self.placeholders = placeholders
        self.keywordFields = keywordFields
    }

    /// The mapping taser ships. Its text is checked by a test, so the fallback to an empty
    /// mapping never happens in a released build; it only keeps a bad edit from crashing.
    public static let builtIn: SigmaFieldMapping = SigmaBuiltInMapping.sections.reduce(SigmaFieldMapping()) { out, section in
        out.merged(with: (try? parse(yaml: section.yaml, path: "built-in Sigma mapping (\(section.name))")) ?? SigmaFieldMapping())
    }

    /// A user's mapping file, merged over `builtIn`: its fields and placeholders replace the
    /// built-in ones of the same name, its logsource entries replace those naming the same
    /// product/service/category, and its `keywords:` replace the keyword fields. `kinds` are the
    /// kinds of AlertEngine mapping files, which logsources may name besides the built-in ones.
    public static func load(yaml: String, path: String, kinds extra: [SignalKind] = []) throws(RuleError) -> SigmaFieldMapping {
        builtIn.merged(with: try parse(yaml: yaml, path: path, kinds: extra))
    }

    public func merged(with user: SigmaFieldMapping) -> SigmaFieldMapping {
        var out = self
        out.fields.merge(user.fields) { _, theirs in theirs }
        out.placeholders.merge(user.placeholders) { _, theirs in theirs }
        for entry in user.logsources {
            out.logsources.removeAll { $0.key == entry.key }
            out.logsources.append(entry)
        }
        if !user.keywordFields.isEmpty { out.keywordFields = user.keywordFields }
        return out
    }

    /// The ECS name for a Sigma field: the mapping's, else the analysts' alias table, else the
    /// name unchanged (rules written in ECS names need no mapping).
    public func field(_ sigma: String) -> String {
        if let f = fields[sigma] { return f }
        let lower = sigma.lowercased()
        if let f = fields.first(where: { $0.key.lowercased() == lower })?.value { return f }
        return FieldAliases.resolve(sigma)
    }

    /// The kinds a logsource reads: those every one of the most specific matching entries
    /// allows. A logsource narrows on each key it names, so `product: suricata` with
    /// `category: proxy` reads Suricata's HTTP records only. Empty when no entry matches, or the
    /// entries contradict each other (the caller reports it).
    public func kinds(product: String?, service: String?, category: String?) -> [String] {
        logsource(product: product, service: service, category: category).kinds
    }

    /// The kinds a logsource reads and the condition its signals must also meet (every chosen
    /// entry's `where:`), nil when there is none.
    public func logsource(product: String?, service: String?, category: String?) -> (kinds: [String], condition: Filter?) {
        let matching = logsources.filter { $0.matches(product: product, service: service, category: category) }
        guard let best = matching.map(\.specificity).max() else { return ([], nil) }
        let chosen = matching.filter { $0.specificity == best }
        guard var out = chosen.first?.kinds else { return ([], nil) }
        for entry in chosen.dropFirst() { out = out.filter(entry.kinds.contains) }
        let conditions = chosen.compactMap(\.condition)
        return (out, conditions.isEmpty ? nil : SigmaFilters.all(conditions))
    }
}

extension SigmaFieldMapping {
    /// One mapping file on its own (not merged). Problems name the file, line and column.
    static func parse(yaml: String, path: String, kinds extra: [SignalKind] = []) throws(RuleError) -> SigmaFieldMapping {
        func fail(_ message: String, _ place: Place?, suggestions: [String] = []) -> RuleError {
            RuleError("\(path): \(message)", at: place, suggestions: suggestions)
        }
        let root: SigmaNode?
        do {
            root = try SigmaNode.parse(yaml, firstLine: 1)
        } catch {
            throw RuleError(message: "\(path): \(error.message)", line: error.line, column: error.column)
        }
        guard let root else { return SigmaFieldMapping() }
        guard let entries = root.entries else {
            throw fail("a Sigma mapping is a map with fields:, logsources:, placeholders: and keywords:", root.place)
        }
        var out = SigmaFieldMapping()
        for entry in entries {
            switch entry.key {
            case "fields":
                guard let map = entry.value.entries else {
                    throw fail("'fields:' maps Sigma field names to ECS fields (CommandLine: process.command_line)", entry.value.place)
                }
                for f in map {
                    guard let target = f.value.text, !target.trimmed.isEmpty else {
                        throw fail("field '\(f.key)' maps to \(f.value.shape); give one ECS field name", f.value.place)
                    }
                    out.fields[f.key] = target.trimmed
                }
            case "logsources":
                guard case .list(let items) = entry.value.value else {
                    throw fail("'logsources:' is a list of entries with product/service/category and kinds", entry.value.place)
                }
                for item in items { out.logsources.append(try logSource(item, extra: extra, fail: fail)) }
            case "placeholders":
                guard let map = entry.value.entries else {
                    throw fail("'placeholders:' maps a placeholder name to its values (admins: [root, admin])", entry.value.place)
                }
                for p in map {
                    guard let values = p.value.texts, !values.isEmpty else {
                        throw fail("placeholder '\(p.key)' needs a value or a list of values", p.value.place)
                    }
                    out.placeholders[p.key] = values
                }
            case "keywords":
                guard let names = entry.value.texts, !names.isEmpty else {
                    throw fail("'keywords:' lists the fields a Sigma keyword is searched in", entry.value.place)
                }
                out.keywordFields = names.map { FieldAliases.resolve($0.trimmed) }
            default:
                throw fail("unknown key '\(entry.key)'; a Sigma mapping has fields:, logsources:, placeholders: and keywords:", entry.place)
            }
        }
        return out
    }

    private static func logSource(
        _ node: SigmaNode, extra: [SignalKind], fail: (String, Place?, [String]) -> RuleError
    ) throws(RuleError) -> LogSource {
        guard let entries = node.entries else {
            throw fail("a logsource entry is a map: product/service/category and kinds", node.place, [])
        }
        var keys: [String: String] = [:]
        var kinds: [String] = []
        var conditions: [String: [String]] = [:]
        var kindsPlace = node.place
        for e in entries {
            switch e.key {
            case "product", "service", "category":
                guard let t = e.value.text, !t.isEmpty else { throw fail("'\(e.key)' needs a name", e.value.place, []) }
                keys[e.key] = t
            case "kinds":
                guard let names = e.value.texts, !names.isEmpty else {
                    throw fail("'kinds:' lists signal kind names (okta.sso.login, ...)", e.value.place, [])
                }
                kindsPlace = e.value.place
                for name in names {
                    guard let kind = SignalKind.find(name, among: extra) else {
                        let near = SignalKind.nearest(name, among: extra).map(\.name)
                        throw fail("no signal kind '\(name)'", e.value.place, near)
                    }
                    if !kinds.contains(kind.name) { kinds.append(kind.name) }
                }
            case "where":
                guard let map = e.value.entries, !map.isEmpty else {
                    throw fail("'where:' maps a field to the value (or values) its signals hold (Channel: Security)", e.value.place, [])
                }
                for m in map {
                    guard let values = m.value.texts, !values.isEmpty else {
                        throw fail("'where:' field '\(m.key)' needs a value or a list of values", m.value.place, [])
                    }
                    conditions[m.key] = values
                }
            default:
                throw fail("unknown key '\(e.key)' in a logsource entry; it has product, service, category, kinds and where", e.place, [])
            }
        }
        guard !keys.isEmpty else { throw fail("a logsource entry names no product, service or category", node.place, []) }
        guard !kinds.isEmpty else { throw fail("a logsource entry needs 'kinds:'", kindsPlace, []) }
        return LogSource(product: keys["product"], service: keys["service"], category: keys["category"], kinds: kinds, conditions: conditions)
    }
}
