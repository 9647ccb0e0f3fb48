import Model

/// A playbook: what the team would do by hand when something happens, written down so taser
/// does it without a person. Each handler is a trigger, conditions, and steps run in order.
///
///     name: securitybot
///     on:
///       - when: { alert: { rule: sso-new-location-then-duo-failures } }
///         do:
///           - open_case: {}
///           - ask_user: { text: "Was this you?", reply_within: 240m }
public struct Playbook: Sendable, Hashable {
    public var name: String
    public var description: String
    /// The file it came from, for errors and `taser automation list`.
    public var file: String
    /// Where the Slack questions go when a step names no channel (empty: a direct message).
    public var channel: String
    /// For people with no email in the directory: `login@domain`.
    public var emailDomain: String?
    /// The Sync endpoint that carries Slack questions (`SLACK_ENDPOINT_NAME` in the contract).
    public var slackEndpoint: String
    /// The namespace of the buttons this playbook sends (`securitybot.confirm`): its name unless set.
    public var namespace: String
    public var handlers: [Handler]

    public init(
        name: String, description: String = "", file: String = "", channel: String = "", emailDomain: String? = nil,
        slackEndpoint: String = Playbook.defaultSlackEndpoint, namespace: String? = nil, handlers: [Handler]
    ) {
        self.name = name
        self.description = description
        self.file = file
        self.channel = channel
        self.emailDomain = emailDomain
        self.slackEndpoint = slackEndpoint
        self.namespace = namespace ?? name
        self.handlers = handlers
    }

    /// The Sync endpoint name Slack questions go to unless a playbook says otherwise.
    public static let defaultSlackEndpoint = "slack"

    /// Namespaces whose Slack replies this playbook listens for.
    public var replyNamespaces: Set<String> {
        var out: Set<String> = [namespace]
        for h in handlers { if case .reply(let r) = h.trigger, let ns = r.namespace { out.insert(ns) } }
        return out
    }
}

/// One "when this happens, if these hold, do these" of a playbook.
public struct Handler: Sendable, Hashable {
    public var name: String
    public var trigger: Trigger
    public var conditions: [Condition]
    public var steps: [Step]

    public init(name: String, trigger: Trigger, conditions: [Condition] = [], steps: [Step]) {
        self.name = name
        self.trigger = trigger
        self.conditions = conditions
        self.steps = steps
    }
}

/// Who a question went to.
public enum AskedRole: String, Sendable, Hashable, CaseIterable {
    case user, manager, oncall
}

/// What starts a handler.
public enum Trigger: Sendable, Hashable {
    /// A rule (or a hand) raised an alert that passes the filter.
    case alert(AlertTrigger)
    /// A case's status changed (by a person or another process; automation's own changes
    /// do not trigger, so a playbook cannot loop on itself).
    case caseStatus(from: [CaseStatus], to: [CaseStatus])
    /// A question asked with `reply_within` got no answer in time (a stored timer).
    case noReply(from: AskedRole?)
    /// Someone pressed a button of a Slack question.
    case reply(ReplyTrigger)

    public static let names = ["alert", "case_status", "no_reply", "reply"]
}

public struct AlertTrigger: Sendable, Hashable {
    /// Rule names; empty is any rule.
    public var rules: [String]
    /// Signal kinds (resolved names); the alert must hold a signal of one of them.
    public var kinds: [String]
    /// A WHERE filter in the rule language over the alert's signals (one must pass).
    public var whereText: String?
    public var minimumSeverity: Severity?

    public init(rules: [String] = [], kinds: [String] = [], whereText: String? = nil, minimumSeverity: Severity? = nil) {
        self.rules = rules
        self.kinds = kinds
        self.whereText = whereText
        self.minimumSeverity = minimumSeverity
    }
}

public struct ReplyTrigger: Sendable, Hashable {
    /// The button's namespace (before the dot of its action_id); nil is the playbook's own.
    public var namespace: String?
    /// `confirm`, `deny`, ... (after the dot); nil is any.
    public var answer: String?
    public var from: AskedRole?

    public init(namespace: String? = nil, answer: String? = nil, from: AskedRole? = nil) {
        self.namespace = namespace
        self.answer = answer
        self.from = from
    }
}

/// A test on the case (or the event) that must hold for a handler or a step to run.
public enum Condition: Sendable, Hashable {
    case severityAtLeast(Severity)
    case status([CaseStatus])
    case hasTag(String)
    case lacksTag(String)
    /// A variable (`{manager}`) has a value, or equals one.
    case variable(String, equals: String?)

    public static let names = ["severity_at_least", "status", "has_tag", "lacks_tag", "is_set", "equals"]
}

/// One step of a handler: an action and the conditions it needs.
public struct Step: Sendable, Hashable {
    public var action: Action
    public var conditions: [Condition]
    /// `file:line` where it was written, for the case log and errors.
    public var place: String

    public init(action: Action, conditions: [Condition] = [], place: String = "") {
        self.action = action
        self.conditions = conditions
        self.place = place
    }
}

/// What a step does. Texts are templates: `{user}`, `{case.id}`, `{alert.title}`, ...
public enum Action: Sendable, Hashable {
    /// Opens a case from the trigger's alert (or takes the case the alert is already in).
    case openCase(title: String?, severity: Severity?, team: String?, tags: [String])
    /// Changes the case: status (with resolution and comment) and severity.
    case updateCase(status: CaseStatus?, resolution: Resolution?, severity: Severity?, comment: String?)
    /// Asks Positron; the first answer's fields become `{as.field}` variables.
    case query(name: String, value: String, as: String)
    /// Asks Positron about every artifact of the case's alerts and keeps the answers.
    case enrich
    /// Asks someone on Slack with confirm/deny buttons; `replyWithin` starts a stored timer.
    case ask(who: AskedRole, text: String, replyWithin: Int64?, channel: String?)
    /// Assigns the case to whoever ONCALL_FOR_TEAM names for the team.
    case assignOncall(team: String)
    /// A message for the pager endpoint (through the outbox).
    case page(endpoint: String, text: String)
    case log(String)
    case tag([String])

    public static let names = [
        "open_case", "update_case", "query", "enrich", "ask_user", "ask_manager", "assign_oncall", "page", "log", "tag",
    ]

    public var name: String {
        switch self {
        case .openCase: "open_case"
        case .updateCase: "update_case"
        case .query: "query"
        case .enrich: "enrich"
        case .ask(let who, _, _, _): who == .manager ? "ask_manager" : "ask_user"
        case .assignOncall: "assign_oncall"
        case .page: "page"
        case .log: "log"
        case .tag: "tag"
        }
    }
}
