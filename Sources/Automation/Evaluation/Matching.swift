import Model
import SignalServer

/// What conditions look at: the case as it stands (when there is one) and the run's variables.
public struct ConditionSubject: Sendable {
    public var severity: Severity?
    public var status: CaseStatus?
    public var tags: [String]
    public var vars: [String: String]

    public init(severity: Severity?, status: CaseStatus?, tags: [String], vars: [String: String]) {
        self.severity = severity
        self.status = status
        self.tags = tags
        self.vars = vars
    }
}

extension Condition {
    public func holds(for s: ConditionSubject) -> Bool {
        switch self {
        case .severityAtLeast(let min): return (s.severity ?? .info) >= min
        case .status(let list): return s.status.map(list.contains) ?? false
        case .hasTag(let t): return s.tags.contains { $0.caseInsensitiveCompare(t) == .orderedSame }
        case .lacksTag(let t): return !s.tags.contains { $0.caseInsensitiveCompare(t) == .orderedSame }
        case .variable(let name, let value):
            guard let v = s.vars[name], !v.isEmpty else { return false }
            return value.map { Template.fill($0, s.vars).caseInsensitiveCompare(v) == .orderedSame } ?? true
        }
    }

    public var text: String {
        switch self {
        case .severityAtLeast(let s): "severity at least \(s.name)"
        case .status(let l): "status in \(l.map(\.rawValue).joined(separator: ", "))"
        case .hasTag(let t): "tagged \(t)"
        case .lacksTag(let t): "not tagged \(t)"
        case .variable(let n, let v): v.map { "\(n) = \($0)" } ?? "\(n) is set"
        }
    }
}

/// An alert as the alert trigger sees it: its row and its signals' kinds and fields.
public struct AlertFacts: Sendable {
    public var alert: Alert
    public var signals: [(kind: String, fields: [String: JSONValue])]

    public init(alert: Alert, signals: [(kind: String, fields: [String: JSONValue])]) {
        self.alert = alert
        self.signals = signals
    }
}

extension AlertTrigger {
    /// Rule, severity, kinds and the WHERE filter, all of which must pass; the kind and the
    /// filter must pass on the same signal.
    public func matches(_ facts: AlertFacts) -> Bool {
        if !rules.isEmpty && !rules.contains(facts.alert.rule) { return false }
        if let min = minimumSeverity, facts.alert.severity < min { return false }
        let matcher = whereText.flatMap { try? PlaybookParser.compileFilter($0) }
        if kinds.isEmpty && matcher == nil { return true }
        return facts.signals.contains { s in
            (kinds.isEmpty || kinds.contains(s.kind)) && (matcher?.matches(JSONObject(s.fields)) ?? true)
        }
    }
}

extension ReplyTrigger {
    public func matches(namespace ns: String, answer a: String, from role: AskedRole?, playbookNamespace: String) -> Bool {
        guard ns == (namespace ?? playbookNamespace) else { return false }
        if let answer, answer.caseInsensitiveCompare(a) != .orderedSame { return false }
        if let from, from != role { return false }
        return true
    }
}

extension Trigger {
    public var text: String {
        switch self {
        case .alert(let a):
            var parts: [String] = []
            if !a.rules.isEmpty { parts.append("rule \(a.rules.joined(separator: "|"))") }
            if !a.kinds.isEmpty { parts.append("kind \(a.kinds.joined(separator: "|"))") }
            if let w = a.whereText { parts.append("where \(w)") }
            if let s = a.minimumSeverity { parts.append("severity >= \(s.name)") }
            return "alert" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
        case .caseStatus(let from, let to):
            return "case status " + (from.isEmpty ? "any" : from.map(\.rawValue).joined(separator: "|")) + " → "
                + (to.isEmpty ? "any" : to.map(\.rawValue).joined(separator: "|"))
        case .noReply(let from): return "no reply" + (from.map { " from the \($0.rawValue)" } ?? "")
        case .reply(let r):
            return "Slack reply " + (r.namespace ?? "*") + "." + (r.answer ?? "*") + (r.from.map { " from the \($0.rawValue)" } ?? "")
        }
    }
}
