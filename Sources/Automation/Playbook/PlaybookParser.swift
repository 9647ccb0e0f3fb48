import Foundation
import Model
import SignalServer
import Yams

/// Reads playbook YAML into `Playbook`s, checking every name it can before anything runs: an
/// unknown trigger, action or condition is named with the nearest ones; a bad span, severity,
/// status or filter says which key in which line.
public struct PlaybookParser {
    let file: String

    public init(file: String) { self.file = file }

    public func parse(_ yaml: String) throws(PlaybookError) -> Playbook {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch {
            let mark = (error as? YamlError).flatMap(PlaybookParser.mark)
            throw PlaybookError(file: file, line: mark?.line, column: mark?.column, key: "", message: "not YAML: \(PlaybookParser.short(error))")
        }
        guard let root, let map = root.mapping else {
            throw fail(root, "", "a playbook is a mapping with name and on: [handlers]")
        }
        try known(map, ["name", "description", "channel", "email_domain", "slack_endpoint", "namespace", "on"], at: "")
        guard let name = map["name"]?.string, !name.isEmpty else {
            throw fail(map["name"] ?? root, "name", "a playbook needs a name (name: securitybot)")
        }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw fail(map["name"], "name", "'\(name)' may hold letters, digits, - and _ only (it prefixes Slack action ids)")
        }
        guard let on = map["on"], let list = on.sequence, !list.isEmpty else {
            throw fail(map["on"] ?? root, "on", "a playbook needs handlers: on: [{ when: ..., do: [...] }]")
        }
        var handlers: [Handler] = []
        for (i, node) in list.enumerated() { handlers.append(try handler(node, at: "on[\(i + 1)]")) }
        let namespace = map["namespace"]?.string
        if let namespace, namespace.contains(".") || namespace.isEmpty {
            throw fail(map["namespace"], "namespace", "a namespace is one word with no dot (securitybot)")
        }
        return Playbook(
            name: name, description: map["description"]?.string ?? "", file: file, channel: map["channel"]?.string ?? "",
            emailDomain: map["email_domain"]?.string, slackEndpoint: map["slack_endpoint"]?.string ?? Playbook.defaultSlackEndpoint,
            namespace: namespace, handlers: handlers)
    }

    // MARK: - Handlers and triggers

    private func handler(_ node: Node, at key: String) throws(PlaybookError) -> Handler {
        guard let map = node.mapping else { throw fail(node, key, "a handler is { when: TRIGGER, if: CONDITIONS, do: [STEPS] }") }
        try known(map, ["name", "when", "if", "do"], at: key)
        guard let when = map["when"] else { throw fail(node, key, "a handler needs when: (one of \(Trigger.names.joined(separator: ", ")))") }
        let trigger = try self.trigger(when, at: key + ".when")
        let conditions = try map["if"].map { n throws(PlaybookError) in try self.conditions(n, at: key + ".if") } ?? []
        guard let steps = map["do"]?.sequence, !steps.isEmpty else {
            throw fail(map["do"] ?? node, key + ".do", "a handler needs steps: do: [ { ACTION: {...} }, ... ]")
        }
        var out: [Step] = []
        for (i, s) in steps.enumerated() { out.append(try step(s, at: key + ".do[\(i + 1)]")) }
        let name = map["name"]?.string ?? key
        return Handler(name: name, trigger: trigger, conditions: conditions, steps: out)
    }

    private func trigger(_ node: Node, at key: String) throws(PlaybookError) -> Trigger {
        let (name, body) = try single(node, at: key, what: "trigger", names: Trigger.names)
        let at = key + "." + name
        switch name {
        case "alert":
            let map = try mapping(body, at: at, allowed: ["rule", "kind", "where", "severity_at_least"])
            let rules = try strings(map["rule"], at: at + ".rule")
            var kinds: [String] = []
            for (i, k) in try strings(map["kind"], at: at + ".kind").enumerated() {
                guard let kind = SignalKind.find(k) else {
                    let n = map["kind"]?.sequence.map { Array($0)[i] } ?? map["kind"]
                    throw fail(n, at + ".kind", "no signal kind '\(k)'", suggestions: SignalKind.nearest(k).map(\.displayName))
                }
                kinds.append(kind.name)
            }
            let whereText = map["where"]?.string
            if let whereText { _ = try filter(whereText, node: map["where"], at: at + ".where") }
            let severity = try map["severity_at_least"].map { n throws(PlaybookError) in try self.severity(n, at: at + ".severity_at_least") }
            return .alert(AlertTrigger(rules: rules, kinds: kinds, whereText: whereText, minimumSeverity: severity))
        case "case_status":
            let map = try mapping(body, at: at, allowed: ["from", "to"])
            return .caseStatus(from: try statuses(map["from"], at: at + ".from"), to: try statuses(map["to"], at: at + ".to"))
        case "no_reply":
            let map = try mapping(body, at: at, allowed: ["from"])
            return .noReply(from: try map["from"].map { n throws(PlaybookError) in try role(n, at: at + ".from") })
        default:
            let map = try mapping(body, at: at, allowed: ["namespace", "answer", "action", "from"])
            var namespace = map["namespace"]?.string
            var answer = map["answer"]?.string
            if let action = map["action"]?.string {
                let parts = action.split(separator: ".", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw fail(map["action"], at + ".action", "an action id is NAMESPACE.ANSWER (securitybot.deny)")
                }
                namespace = parts[0]
                answer = parts[1]
            }
            return .reply(ReplyTrigger(
                namespace: namespace, answer: answer, from: try map["from"].map { n throws(PlaybookError) in try role(n, at: at + ".from") }))
        }
    }

    // MARK: - Conditions

    private func conditions(_ node: Node, at key: String) throws(PlaybookError) -> [Condition] {
        guard let map = node.mapping else { throw fail(node, key, "conditions are a mapping: { severity_at_least: critical, status: [new] }") }
        try known(map, Condition.names, at: key, what: "condition")
        var out: [Condition] = []
        for (k, v) in map {
            let name = k.string ?? ""
            let at = key + "." + name
            switch name {
            case "severity_at_least": out.append(.severityAtLeast(try severity(v, at: at)))
            case "status": out.append(.status(try statuses(v, at: at)))
            case "has_tag": for t in try strings(v, at: at) { out.append(.hasTag(t)) }
            case "lacks_tag": for t in try strings(v, at: at) { out.append(.lacksTag(t)) }
            case "is_set": for t in try strings(v, at: at) { out.append(.variable(t, equals: nil)) }
            default:
                guard let pairs = v.mapping else { throw fail(v, at, "write equals: { variable: value }") }
                for (a, b) in pairs { out.append(.variable(a.string ?? "", equals: b.string ?? "")) }
            }
        }
        return out
    }

    // MARK: - Steps

    private func step(_ node: Node, at key: String) throws(PlaybookError) -> Step {
        guard let map = node.mapping else { throw fail(node, key, "a step is { ACTION: {...} } (actions: \(Action.names.joined(separator: ", ")))") }
        var conditions: [Condition] = []
        var actionPairs: [(Node, Node)] = []
        for (k, v) in map {
            if k.string == "if" { conditions = try self.conditions(v, at: key + ".if") } else { actionPairs.append((k, v)) }
        }
        guard actionPairs.count == 1, let (k, v) = actionPairs.first, let name = k.string else {
            throw fail(node, key, "a step names one action (and may have if:); actions: \(Action.names.joined(separator: ", "))")
        }
        guard Action.names.contains(name) else {
            throw fail(k, key, "unknown action '\(name)'", suggestions: nearestNames(name, in: Action.names))
        }
        let at = key + "." + name
        let place = "\((file as NSString).lastPathComponent):\(k.mark?.line ?? 0)"
        let action: Action
        switch name {
        case "open_case":
            let m = try mapping(v, at: at, allowed: ["title", "severity", "team", "tags"])
            action = .openCase(
                title: m["title"]?.string, severity: try m["severity"].map { n throws(PlaybookError) in try severity(n, at: at + ".severity") },
                team: m["team"]?.string, tags: try strings(m["tags"], at: at + ".tags"))
        case "update_case":
            let m = try mapping(v, at: at, allowed: ["status", "resolution", "severity", "comment"])
            let status = try statuses(m["status"], at: at + ".status").first
            var resolution: Resolution?
            if let r = m["resolution"] {
                guard let parsed = Resolution(parsing: r.string ?? "") else {
                    throw fail(r, at + ".resolution", "no resolution '\(r.string ?? "")'; resolutions are \(Resolution.names)")
                }
                resolution = parsed
            }
            if status == .closed && resolution == nil {
                throw fail(m["status"], at + ".status", "closing needs a resolution: resolution: \(Resolution.allCases.map(\.rawValue).joined(separator: "|"))")
            }
            action = .updateCase(
                status: status, resolution: resolution,
                severity: try m["severity"].map { n throws(PlaybookError) in try severity(n, at: at + ".severity") }, comment: m["comment"]?.string)
        case "query":
            let m = try mapping(v, at: at, allowed: ["name", "value", "as"])
            guard let q = m["name"]?.string, let value = m["value"]?.string else {
                throw fail(v, at, "write query: { name: USER_INFO, value: \"{user}\", as: info }")
            }
            action = .query(name: q.uppercased(), value: value, as: m["as"]?.string ?? q.lowercased())
        case "enrich":
            _ = try mapping(v, at: at, allowed: [])
            action = .enrich
        case "ask_user", "ask_manager":
            let m = try mapping(v, at: at, allowed: ["text", "reply_within", "channel"])
            guard let text = m["text"]?.string, !text.isEmpty else { throw fail(v, at + ".text", "a question needs text: \"...\"") }
            var within: Int64?
            if let w = m["reply_within"] {
                do {
                    within = try Span.parse(w.string ?? "").ms
                } catch {
                    throw fail(w, at + ".reply_within", "\(error)")
                }
            }
            action = .ask(who: name == "ask_user" ? .user : .manager, text: text, replyWithin: within, channel: m["channel"]?.string)
        case "assign_oncall":
            let m = try mapping(v, at: at, allowed: ["team"])
            guard let team = m["team"]?.string, !team.isEmpty else { throw fail(v, at + ".team", "write assign_oncall: { team: soc }") }
            action = .assignOncall(team: team)
        case "page":
            let m = try mapping(v, at: at, allowed: ["endpoint", "text"])
            guard let endpoint = m["endpoint"]?.string, !endpoint.isEmpty else {
                throw fail(v, at + ".endpoint", "a page needs the pager endpoint's name (as Sync's config names it): endpoint: pager")
            }
            action = .page(endpoint: endpoint, text: m["text"]?.string ?? "Case {case.id}: {case.title}")
        case "log":
            guard let text = v.string, !text.isEmpty else { throw fail(v, at, "write log: \"text for the case log\"") }
            action = .log(text)
        default:
            let tags = try strings(v, at: at)
            guard !tags.isEmpty else { throw fail(v, at, "write tag: [name, ...]") }
            action = .tag(tags)
        }
        return Step(action: action, conditions: conditions, place: place)
    }

    // MARK: - Values

    /// The rule language's WHERE filter, compiled through a one-clause rule so that fields,
    /// operators and errors are exactly the rule editor's.
    public static func compileFilter(_ text: String) throws(RuleError) -> Matcher {
        let rule = try RuleCompiler().compile("(1 \(SignalKind.oktaNewLocation.name) WHERE \(text)) IN 1 hour")
        return try Matcher(rule.clauses[0].filter ?? .always)
    }

    private func filter(_ text: String, node: Node?, at key: String) throws(PlaybookError) -> Matcher {
        do { return try PlaybookParser.compileFilter(text) } catch {
            throw fail(node, key, "not a filter: \(error.message)", suggestions: error.suggestions)
        }
    }

    private func single(_ node: Node, at key: String, what: String, names: [String]) throws(PlaybookError) -> (String, Node?) {
        if let name = node.string, node.scalar != nil {
            guard names.contains(name) else { throw fail(node, key, "unknown \(what) '\(name)'", suggestions: nearestNames(name, in: names)) }
            return (name, nil)
        }
        guard let map = node.mapping, map.count == 1, let (k, v) = map.first, let name = k.string else {
            throw fail(node, key, "write one \(what): \(names.joined(separator: ", "))")
        }
        guard names.contains(name) else { throw fail(k, key, "unknown \(what) '\(name)'", suggestions: nearestNames(name, in: names)) }
        return (name, v)
    }

    private func mapping(_ node: Node?, at key: String, allowed: [String]) throws(PlaybookError) -> Node.Mapping {
        guard let node else { return Node.Mapping([]) }
        if node.scalar != nil, node.string == "" || node.tag.description.hasSuffix("null") { return Node.Mapping([]) }
        guard let map = node.mapping else { throw fail(node, key, "expected a mapping" + (allowed.isEmpty ? " ({})" : " with \(allowed.joined(separator: ", "))")) }
        try known(map, allowed, at: key)
        return map
    }

    private func known(_ map: Node.Mapping, _ allowed: [String], at key: String, what: String = "key") throws(PlaybookError) {
        for k in map.keys {
            let name = k.string ?? ""
            guard allowed.contains(name) else {
                let place = key.isEmpty ? name : key
                throw fail(k, place, allowed.isEmpty ? "takes no settings ('\(name)')" : "unknown \(what) '\(name)'", suggestions: nearestNames(name, in: allowed))
            }
        }
    }

    private func strings(_ node: Node?, at key: String) throws(PlaybookError) -> [String] {
        guard let node else { return [] }
        if let s = node.scalar?.string { return s.isEmpty ? [] : [s] }
        guard let seq = node.sequence else { throw fail(node, key, "expected a word or a list of words") }
        var out: [String] = []
        for n in seq {
            guard let s = n.scalar?.string else { throw fail(n, key, "expected a word") }
            out.append(s)
        }
        return out
    }

    private func severity(_ node: Node, at key: String) throws(PlaybookError) -> Severity {
        guard let s = Severity(parsing: node.string ?? "") else {
            throw fail(node, key, "no severity '\(node.string ?? "")'; severities are \(Severity.names)")
        }
        return s
    }

    private func statuses(_ node: Node?, at key: String) throws(PlaybookError) -> [CaseStatus] {
        var out: [CaseStatus] = []
        for s in try strings(node, at: key) {
            guard let status = CaseStatus(parsing: s) else {
                throw fail(node, key, "no case status '\(s)'; statuses are \(CaseStatus.names)")
            }
            out.append(status)
        }
        return out
    }

    private func role(_ node: Node, at key: String) throws(PlaybookError) -> AskedRole {
        guard let r = AskedRole(rawValue: (node.string ?? "").lowercased()) else {
            throw fail(node, key, "no one called '\(node.string ?? "")'; questions go to \(AskedRole.allCases.map(\.rawValue).joined(separator: ", "))",
                       suggestions: nearestNames(node.string ?? "", in: AskedRole.allCases.map(\.rawValue)))
        }
        return r
    }

    private func fail(_ node: Node?, _ key: String, _ message: String, suggestions: [String] = []) -> PlaybookError {
        PlaybookError(file: file, line: node?.mark?.line, column: node?.mark?.column, key: key, message: message, suggestions: suggestions)
    }

    static func mark(_ error: YamlError) -> Mark? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark
        default: nil
        }
    }

    static func short(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
