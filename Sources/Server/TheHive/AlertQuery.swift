import Engine
import Model

/// `POST /api/v1/query` for alerts, as thehive4py's `alert.find(filters=, sortby=, paginate=)`
/// and `alert.count(filters=)` send it: `listAlert`, then `filter`, `sort`, `page` and `count`
/// steps, applied in order to the alerts the key may see (the newest
/// `Engine.theHiveQueryWindow`). Every part of the body is bounded; what taser does not answer
/// (another list, an operator it lacks, an unknown field) is TheHive's 400 `BadRequest` naming it.
struct AlertQuery: Sendable {
    typealias HiveError = TheHiveRoutes.HiveError

    indirect enum Filter: Sendable {
        case all([Filter])
        case any([Filter])
        case not(Filter)
        case compare(String, field: String, JSONValue)
        case among(field: String, [JSONValue])
        case like(String, field: String, String)
        case between(field: String, JSONValue, JSONValue)
        case everything
    }

    enum Step: Sendable {
        case filter(Filter)
        case sort([(field: String, ascending: Bool)])
        case page(from: Int, to: Int)
        case count
    }

    var steps: [Step]
    var excluded: [String]

    /// The fields a filter or a sort may name: those of TheHive's `OutputAlert` taser fills in.
    static let fields: Set<String> = [
        "_id", "_type", "_createdAt", "_createdBy", "_updatedAt", "_updatedBy", "title", "description", "severity", "severityLabel",
        "status", "stage", "tags", "type", "source", "sourceRef", "date", "tlp", "tlpLabel", "pap", "papLabel", "caseId", "follow",
        "observableCount", "externalLink", "newDate", "closedDate", "assignee", "timeToDetect",
    ]
    /// Fields only an alert's signal, artifacts or log know: naming one reads every alert in the
    /// window in full, not only its row.
    static let costly: Set<String> = ["_updatedBy", "description", "type", "source", "sourceRef", "tlp", "tlpLabel", "pap", "papLabel", "observableCount", "externalLink"]
    static let operators = "_and, _or, _not, _any, _eq, _ne, _gt, _gte, _lt, _lte, _in, _like, _startsWith, _endsWith, _between, _id"

    static let mostSteps = 16
    static let mostNodes = 1000
    static let deepest = 32
    static let mostValues = 1000
    /// The most alerts one page (or a query without a page) returns.
    static let largestPage = 1000
    static let mostLikes = 16

    static func bad(_ message: String) -> HiveError { HiveError(status: .badRequest, type: "BadRequest", message: message) }

    static func parse(_ body: JSONValue) throws -> AlertQuery {
        guard case .object(let o) = body else { throw bad("a query is a JSON object: {\"query\": [{\"_name\": \"listAlert\"}, ...]}") }
        for (key, _) in o where key != "query" && key != "excludeFields" {
            throw bad("a query takes query and excludeFields, not \(key.prefix(60))")
        }
        guard case .array(let list)? = o["query"], !list.isEmpty else { throw bad("query must be a non-empty list of steps") }
        guard list.count <= mostSteps else { throw bad("a query has at most \(mostSteps) steps, not \(list.count)") }
        guard list[0]["_name"]?.stringValue == "listAlert" else {
            let first = list[0]["_name"]?.stringValue ?? list[0].text
            throw bad(
                "taser answers alert queries only (thehive4py's alert.find and alert.count): the query must start with listAlert, not \(first.prefix(60))")
        }
        var excluded: [String] = []
        if let given = o["excludeFields"] {
            guard case .array(let items) = given, items.count <= 100 else { throw bad("excludeFields must be a list of at most 100 field names") }
            excluded = items.compactMap(\.stringValue)
        }
        var nodes = 0
        var steps: [Step] = []
        var counted = false
        for step in list.dropFirst() {
            guard case .object(var s) = step, let name = s["_name"]?.stringValue else { throw bad("each query step is an object with a _name") }
            if counted { throw bad("count must be the last step") }
            s["_name"] = nil
            switch name {
            case "filter": steps.append(.filter(try filter(.object(s), depth: 0, nodes: &nodes)))
            case "sort": steps.append(.sort(try sort(s)))
            case "page": steps.append(try page(s))
            case "count":
                steps.append(.count)
                counted = true
            default:
                throw bad("query step \(name.prefix(60)) is not one taser answers after listAlert (it takes filter, sort, page and count)")
            }
        }
        return AlertQuery(steps: steps, excluded: excluded)
    }

    static func field(_ v: JSONValue?) throws -> String {
        guard let name = v?.stringValue else { throw bad("a filter needs a _field") }
        guard fields.contains(name) else { throw bad("alerts have no field \(name.prefix(60)) taser can filter or sort on") }
        return name
    }

    static func filter(_ json: JSONValue, depth: Int, nodes: inout Int) throws -> Filter {
        var likes = 0
        return try filter(json, depth: depth, nodes: &nodes, likes: &likes)
    }

    static func filter(_ json: JSONValue, depth: Int, nodes: inout Int, likes: inout Int) throws -> Filter {
        nodes += 1
        guard nodes <= mostNodes else { throw bad("a filter has at most \(mostNodes) parts") }
        guard depth <= deepest else { throw bad("a filter nests at most \(deepest) deep") }
        guard case .object(let o) = json else { throw bad("a filter is a JSON object, not \(json.text.prefix(40))") }
        if o.isEmpty { return .everything }
        // TheHive's older form: {"_field": "sourceRef", "_value": "x"}.
        if o["_field"] != nil, o["_value"] != nil, o.count == 2 { return .compare("_eq", field: try field(o["_field"]), o["_value"] ?? .null) }
        guard o.count == 1, let (op, arg) = o.first(where: { _ in true }) else {
            throw bad("a filter has one operator (\(operators)); combine them with _and or _or")
        }
        func list() throws -> [Filter] {
            guard case .array(let items) = arg, items.count <= mostValues else { throw bad("\(op) takes a list of at most \(mostValues) filters") }
            return try items.map { try filter($0, depth: depth + 1, nodes: &nodes, likes: &likes) }
        }
        func value(_ key: String) throws -> JSONValue {
            guard let v = arg[key] else { throw bad("\(op) needs \(key)") }
            switch v {
            case .string(let s) where s.utf8.count > 4096: throw bad("\(op): a value is at most 4096 bytes")
            case .array, .object: throw bad("\(op): \(key) must be one value")
            default: return v
            }
        }
        switch op {
        case "_and": return .all(try list())
        case "_or": return .any(try list())
        case "_not": return .not(try filter(arg, depth: depth + 1, nodes: &nodes, likes: &likes))
        case "_any": return .everything
        case "_eq", "_ne", "_gt", "_gte", "_lt", "_lte": return .compare(op, field: try field(arg["_field"]), try value("_value"))
        case "_in":
            guard case .array(let values)? = arg["_values"], values.count <= mostValues else {
                throw bad("_in needs _values, a list of at most \(mostValues) values")
            }
            return .among(field: try field(arg["_field"]), values)
        case "_like", "_startsWith", "_endsWith":
            // Text matching is the costly part of a query: few of them, short patterns.
            likes += 1
            guard likes <= mostLikes else { throw bad("a filter has at most \(mostLikes) text matches (_like, _startsWith, _endsWith)") }
            guard case .string(let text) = try value("_value"), text.utf8.count <= 256 else { throw bad("\(op) takes text of at most 256 bytes") }
            return .like(op, field: try field(arg["_field"]), text)
        case "_between": return .between(field: try field(arg["_field"]), try value("_from"), try value("_to"))
        case "_id":
            guard case .string(let id) = arg, id.utf8.count <= 40 else { throw bad("_id takes an alert id (~12)") }
            return .compare("_eq", field: "_id", .string(id.hasPrefix("~") ? id : "~" + id))
        default: throw bad("filter operator \(op.prefix(60)) is not one taser takes (it takes \(operators))")
        }
    }

    static func sort(_ s: JSONObject) throws -> [(field: String, ascending: Bool)] {
        guard case .array(let items)? = s["_fields"], !items.isEmpty, items.count <= 8 else {
            throw bad("sort needs _fields: a list of 1 to 8 {\"field\": \"asc\" or \"desc\"}")
        }
        return try items.map { item in
            guard case .object(let o) = item, o.count == 1, let (name, order) = o.first(where: { _ in true }),
                let direction = order.stringValue, direction == "asc" || direction == "desc"
            else { throw bad("each sort field is {\"field\": \"asc\"} or {\"field\": \"desc\"}") }
            return (try field(.string(name)), direction == "asc")
        }
    }

    static func page(_ s: JSONObject) throws -> Step {
        guard case .int(let from)? = s["from"], case .int(let to)? = s["to"], from >= 0, to >= from else {
            throw bad("page needs from and to, whole numbers with 0 <= from <= to")
        }
        guard to - from <= Int64(largestPage) else { throw bad("a page holds at most \(largestPage) alerts, not \(to - from)") }
        guard from <= Int64(Engine.theHiveQueryWindow) else {
            throw bad("a page starts at most \(Engine.theHiveQueryWindow) alerts in (taser's queries look at the newest \(Engine.theHiveQueryWindow))")
        }
        return .page(from: Int(from), to: Int(to))
    }

    /// Whether any step names a field only a full read knows.
    var needsFull: Bool {
        func names(_ f: Filter) -> [String] {
            switch f {
            case .all(let l), .any(let l): l.flatMap(names)
            case .not(let x): names(x)
            case .compare(_, let field, _), .among(let field, _), .like(_, let field, _), .between(let field, _, _): [field]
            case .everything: []
            }
        }
        return steps.contains { step in
            switch step {
            case .filter(let f): names(f).contains(where: AlertQuery.costly.contains)
            case .sort(let fields): fields.contains { AlertQuery.costly.contains($0.field) }
            case .page, .count: false
            }
        }
    }

    enum Answer {
        case alerts([Int64])
        case count(Int)
    }

    /// Runs the steps over alerts (their TheHive fields, with `id`), newest first.
    func run(_ alerts: [(id: Int64, fields: [String: JSONValue])]) -> Answer {
        var current = alerts
        var paged = false
        for step in steps {
            switch step {
            case .filter(let f): current = current.filter { AlertQuery.matches(f, $0.fields) }
            case .sort(let fields):
                current.sort { a, b in
                    for (field, ascending) in fields {
                        let order = AlertQuery.order(a.fields[field], b.fields[field])
                        if order != 0 { return ascending ? order < 0 : order > 0 }
                    }
                    return false
                }
            case .page(let from, let to):
                current = from >= current.count ? [] : Array(current[from..<min(to, current.count)])
                paged = true
            case .count: return .count(current.count)
            }
        }
        return .alerts((paged ? current : Array(current.prefix(AlertQuery.largestPage))).map(\.id))
    }

    static func matches(_ f: Filter, _ o: [String: JSONValue]) -> Bool {
        switch f {
        case .everything: return true
        case .all(let l): return l.allSatisfy { matches($0, o) }
        case .any(let l): return l.contains { matches($0, o) }
        case .not(let x): return !matches(x, o)
        case .compare(let op, let field, let value):
            let values = all(o[field])
            switch op {
            case "_eq": return values.contains { equal($0, value) }
            case "_ne": return !values.contains { equal($0, value) }
            case "_gt": return values.contains { comparable($0, value) && order($0, value) > 0 }
            case "_gte": return values.contains { comparable($0, value) && order($0, value) >= 0 }
            case "_lt": return values.contains { comparable($0, value) && order($0, value) < 0 }
            default: return values.contains { comparable($0, value) && order($0, value) <= 0 }
            }
        case .among(let field, let list): return all(o[field]).contains { v in list.contains { equal(v, $0) } }
        case .like(let op, let field, let pattern):
            let p = pattern.lowercased()
            return all(o[field]).contains { v in
                // A long description is matched on its start: a bound on what one query costs.
                guard let s = v.stringValue.map({ String($0.prefix(65_536)).lowercased() }) else { return false }
                switch op {
                case "_startsWith": return s.hasPrefix(p)
                case "_endsWith": return s.hasSuffix(p)
                default: return p.contains("*") ? glob(p, s) : s.contains(p)
                }
            }
        case .between(let field, let from, let to):
            // TheHive's _between: from included, to excluded.
            return all(o[field]).contains { comparable($0, from) && order($0, from) >= 0 && comparable($0, to) && order($0, to) < 0 }
        }
    }

    /// A field's values: a list's items (tags), or the one value.
    static func all(_ v: JSONValue?) -> [JSONValue] {
        guard let v, v != .null else { return [] }
        if case .array(let items) = v { return items }
        return [v]
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let n): Double(n)
        case .double(let d): d
        default: nil
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        if case .string(let x) = a, case .string(let y) = b { return x == y }
        return a == b
    }

    static func comparable(_ a: JSONValue, _ b: JSONValue) -> Bool {
        (number(a) != nil && number(b) != nil) || (a.stringValue != nil && b.stringValue != nil)
    }

    /// -1, 0 or 1; a missing value sorts after every other.
    static func order(_ a: JSONValue?, _ b: JSONValue?) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case (let x?, let y?):
            if let p = number(x), let q = number(y) { return p < q ? -1 : p > q ? 1 : 0 }
            let s = x.stringValue ?? x.text, t = y.stringValue ?? y.text
            return s < t ? -1 : s > t ? 1 : 0
        }
    }

    /// `*` matches any run of characters; everything else matches itself. The parts between
    /// stars are found left to right, each at its first place after the one before (which is
    /// right when `*` is the only wildcard): linear in the text, whatever the pattern.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return text == pattern }
        var rest = Substring(text)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let found = rest.range(of: part) else { return false }
            rest = rest[found.upperBound...]
        }
        let last = parts[parts.count - 1]
        return last.isEmpty || (rest.count >= last.count && rest.hasSuffix(last))
    }
}
