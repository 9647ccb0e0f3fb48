import Foundation
import Model
import Positron
import SignalServer
import Store

/// What the CLI and the console ask of taser, whichever side of the socket the Engine is on:
/// `Engine` in-process (embedded, one SQLite file), `RemoteEngine` through the daemon (team
/// mode). The access checks are the Engine's, always on the side that owns the database.
///
/// Every operation here is one request in the protocol (`TeamOperations`); docs/team-mode.md
/// lists which commands go through it.
public protocol TaserAPI: AnyObject, Sendable {
    /// Who taser acts for: the OS login (or `--as`).
    var callerName: String { get }
    /// Whether the caller is an admin (the database's owner embedded, the daemon's admins).
    var callerIsAdmin: Bool { get }
    /// Where the data is, for `whoami` and the console's header: the database file, or the
    /// daemon's socket.
    var location: String { get }
    /// Changes whenever anything is committed: embedded a `stat` of the file, through the daemon
    /// the last stamp it pushed. The console redraws when it moves.
    func changeStamp() -> String

    // Cases
    func cases(_ filter: CaseFilter) throws -> [CaseSummary]
    func caseDetail(_ id: Int64) throws -> CaseDetail
    /// The case as `case export --format json` writes it.
    func caseDocument(_ id: Int64) throws -> JSONValue
    func exportCase(_ id: Int64) throws -> CaseExport
    func relatedCases(_ id: Int64, limit: Int) throws -> [RelatedCase]
    func enrichments(of artifact: Int64) throws -> [Enrichment]
    @discardableResult func addNote(_ caseID: Int64, _ text: String) throws -> LogEntry
    @discardableResult func correct(_ caseID: Int64, entry seq: Int64, _ text: String) throws -> LogEntry
    func assign(_ caseID: Int64, to owner: String?) throws
    @discardableResult func tag(_ caseID: Int64, add: [String], remove: [String]) throws -> [String]
    /// Every tag on a case the caller may read, with how many cases carry it, most used first.
    func tagUses() throws -> [TagUse]
    func setStatus(_ caseID: Int64, to status: CaseStatus, resolution: Resolution?, comment: String?) throws
    func share(_ caseID: Int64, with team: String, level: ShareLevel?) throws
    /// Another Slack channel for the case, created by Sync's `endpoint` (a slack one): the
    /// request is on the case at once, the channel once Sync made it.
    @discardableResult func requestSlackChannel(_ caseID: Int64, endpoint: String) throws -> CaseChannel
    func openCase(_ new: NewCase) throws -> Case
    func analysts() throws -> [Analyst]
    func teams() throws -> [Team]

    // Alerts
    func alerts(_ filter: AlertFilter) throws -> [Alert]
    /// One alert the caller may see (its detail's alert).
    func alert(_ id: Int64) throws -> Alert
    func alertDetail(_ id: Int64) throws -> AlertDetail
    func queuePage(_ filter: QueueFilter, order: QueueOrder, after: QueuePosition?, before: QueuePosition?, limit: Int) throws -> [Alert]
    func queueCount(_ filter: QueueFilter, cap: Int) throws -> Int
    func setStatus(ofAlerts ids: [Int64], to status: AlertStatus, reason: AlertCloseReason?) throws
    func mergeAlerts(_ alertIDs: [Int64], into caseID: Int64) throws

    // Artifacts and signals
    func pivot(_ value: String, type: ArtifactType?) throws -> [Pivot]
    func signalDetail(_ id: Int64) throws -> SignalDetail
    func searchSignals(_ text: String, limit: Int, buckets: Int) throws -> SearchResult
    /// Throws the search's `RuleError` when it does not compile; runs nothing.
    func checkSearch(_ text: String) throws
    func openCase(fromSignals ids: [Int64], search: String, title: String) throws -> Case
    func addSignals(_ ids: [Int64], search: String, toCase caseID: Int64) throws

    // Rules
    func rules() throws -> [StoredRule]
    func addRule(name: String, text: String, enable: Bool) throws -> StoredRule
    func editRule(name: String, text: String) throws -> StoredRule
    func setRuleEnabled(name: String, _ enabled: Bool) throws -> StoredRule
    /// What the rule text would have raised over every stored signal (its `RuleError` when it
    /// does not compile).
    func simulate(ruleText: String) throws -> SimulationReport
    /// The same for a saved rule's current version.
    func simulate(savedRule name: String) throws -> SimulationReport
    /// Field names the rule language knows, for the editor's completion.
    func ruleFields() throws -> [String]
    func kindCounts() throws -> [KindCount]
    func fieldNames(ofKinds kinds: [String]) throws -> [FieldPresence]
    func topValues(field: String, kind: String) throws -> [ValueCount]

    // Sync
    func syncStatus(limit: Int) throws -> SyncStatus
    func retryDeliveries(_ ids: [Int64]) throws -> Int
    func retryAllDeadDeliveries() throws -> Int
    func deadDeliveryCount() throws -> Int

    // The rest of the CLI
    func mergeCase(_ source: Int64, into target: Int64) throws
    func caseArtifacts(_ id: Int64) throws -> [CaseArtifact]
    func addArtifact(_ caseID: Int64, _ mention: ArtifactMention) throws
    func artifacts(types: [ArtifactType], containing value: String?, limit: Int) throws -> [ArtifactCount]
    func exportArtifacts(types: [ArtifactType], kinds: [String], rules: [String], since: Timestamp?, until: Timestamp?) throws -> ArtifactExport
    func signals(_ filter: SignalFilter) throws -> [(signal: Signal, artifacts: [(artifact: Artifact, role: String)])]
    func quarantined(all: Bool, limit: Int) throws -> [QuarantineItem]
    func quarantineItem(_ id: Int64) throws -> QuarantineItem
    func rule(named name: String) throws -> StoredRule
    func ruleVersions(name: String) throws -> [RuleVersion]
    func ruleHistory(name: String) throws -> [RuleChange]
    func lateSignals(rule name: String) throws -> Int
    func checkRule(_ text: String) throws -> Rule
    func compiledRule(named name: String, version: Int?) throws -> Rule
    func simulate(_ rule: Rule, from: Timestamp?, to: Timestamp?, chain: [String]) throws -> SimulationReport
    /// A rule `rules import` compiled on the client (Sigma, with the analyst's field mapping).
    func saveImportedRule(name: String, language: String, text: String, rule: Rule) throws -> (rule: StoredRule, changed: Bool)
    func addTeam(_ name: String, description: String) throws
    func addMember(_ analyst: String, to team: String) throws
    func removeMember(_ analyst: String, from team: String) throws
    func addAnalyst(_ analyst: Analyst) throws
    func identities(matching: String?, limit: Int) throws -> [IdentityRecord]
    func linkIdentifiers(_ a: String, _ b: String) throws -> Bool
    func unlinkIdentifiers(_ a: String, _ b: String) throws
    /// People read from a file on the client (`identities import`): the daemon never opens a
    /// path a client names, since it would open it as the service account.
    func importIdentities(_ people: [[Identifier]], from name: String) throws -> (people: Int, links: Int)
    func verify(quick: Bool, witness: LogWitness?) throws -> VerifyReport
    func publishLogHeads() throws -> LogWitness
    func queryAudit(limit: Int) throws -> [QueryAuditEntry]
    func waitingQuestions(limit: Int) throws -> [AutomationAsk]
    func automationJobs(status: String?, limit: Int) throws -> [AutomationJob]

    // Positron
    /// Asks Positron as the caller, audited: embedded through `positron` (the analyst's config);
    /// through the daemon, through the daemon's config (the team's plugins and secrets).
    func ask(_ query: String, _ value: String, with positron: PositronConfig) throws -> QueryResult
    /// Asks Positron about every artifact of an alert, or every artifact with a value, and
    /// stores the answers (`taser enrich`); `positron` as for `ask`.
    func enrich(alert: Int64?, value: String?, with positron: PositronConfig) throws -> [(artifact: Artifact, results: [QueryResult])]
}

/// A tag and how many cases carry it.
public struct TagUse: Codable, Sendable, Hashable {
    public var tag: String
    public var cases: Int
}

/// A stored signal with its artifacts and its tool's earlier bodies.
public struct SignalDetail: Codable, Sendable {
    public var signal: Signal
    public var artifacts: [WireLink]
    public var revisions: [SignalRevision]
    public var links: [(artifact: Artifact, role: String)] { WireLink.pairs(artifacts) }
}

extension Engine: TaserAPI {
    public var callerName: String { actor.name }
    public var callerIsAdmin: Bool { actor.isAdmin }
    public var location: String { store.path }
    public func changeStamp() -> String { store.changeStamp() }
    public func caseDocument(_ id: Int64) throws -> JSONValue { try exportCase(id).json }
    public func alert(_ id: Int64) throws -> Alert { try alertDetail(id).alert }
    public func tagUses() throws -> [TagUse] { try tagsInUse().map { TagUse(tag: $0.tag, cases: $0.cases) } }
    public func signalDetail(_ id: Int64) throws -> SignalDetail {
        let (signal, artifacts, revisions) = try signal(id)
        return SignalDetail(signal: signal, artifacts: WireLink.wire(artifacts), revisions: revisions)
    }
    public func searchSignals(_ text: String, limit: Int, buckets: Int) throws -> SearchResult {
        try searchSignals(text, limit: limit, buckets: buckets, mappingKinds: [])
    }
    public func checkSearch(_ text: String) throws { _ = try ruleCompiler().compileSearch(text) }
    public func simulate(ruleText: String) throws -> SimulationReport { try simulate(try checkRule(ruleText)) }
    public func simulate(savedRule name: String) throws -> SimulationReport { try simulate(try compiledRule(named: name)) }
    public func ruleFields() throws -> [String] { ruleCompiler().knownFields.sorted() }
    public func topValues(field: String, kind: String) throws -> [ValueCount] { try topValues(field: field, kind: kind, sample: Engine.valueSample, limit: 20) }
    public func fieldNames(ofKinds kinds: [String]) throws -> [FieldPresence] { try fieldNames(ofKinds: kinds, sample: Engine.fieldSample) }
    public func ask(_ query: String, _ value: String, with positron: PositronConfig) throws -> QueryResult { try self.query(query, value, with: positron) }
    public func enrich(alert: Int64?, value: String?, with positron: PositronConfig) throws -> [(artifact: Artifact, results: [QueryResult])] {
        let asked = try alert.map { try self.artifacts(ofAlert: $0) } ?? (try self.artifacts(valued: value ?? ""))
        return try enrich(asked, with: positron)
    }
    public func exportArtifacts(types: [ArtifactType], kinds: [String], rules: [String], since: Timestamp?, until: Timestamp?) throws -> ArtifactExport {
        try exportArtifacts(types: types, kinds: kinds, rules: rules, since: since, until: until, mappingKinds: [])
    }
}

extension TaserAPI {
    public func cases() throws -> [CaseSummary] { try cases(CaseFilter()) }
    public func pivot(_ value: String) throws -> [Pivot] { try pivot(value, type: nil) }
    public func syncStatus() throws -> SyncStatus { try syncStatus(limit: 1000) }
    public func relatedCases(_ id: Int64) throws -> [RelatedCase] { try relatedCases(id, limit: 20) }
    public func queuePage(_ filter: QueueFilter, order: QueueOrder, limit: Int) throws -> [Alert] {
        try queuePage(filter, order: order, after: nil, before: nil, limit: limit)
    }
    public func queuePage(_ filter: QueueFilter, order: QueueOrder, after: QueuePosition?, limit: Int) throws -> [Alert] {
        try queuePage(filter, order: order, after: after, before: nil, limit: limit)
    }
    public func queuePage(_ filter: QueueFilter, order: QueueOrder, before: QueuePosition?, limit: Int) throws -> [Alert] {
        try queuePage(filter, order: order, after: nil, before: before, limit: limit)
    }
    @discardableResult public func tag(_ caseID: Int64, add: [String]) throws -> [String] { try tag(caseID, add: add, remove: []) }
    public func simulate(_ rule: Rule, from: Timestamp?, to: Timestamp?) throws -> SimulationReport { try simulate(rule, from: from, to: to, chain: []) }
    public func compiledRule(named name: String) throws -> Rule { try compiledRule(named: name, version: nil) }
    public func waitingQuestions() throws -> [AutomationAsk] { try waitingQuestions(limit: 1000) }
    public func addRule(name: String, text: String) throws -> StoredRule { try addRule(name: name, text: text, enable: false) }
    public func setStatus(ofAlerts ids: [Int64], to status: AlertStatus) throws { try setStatus(ofAlerts: ids, to: status, reason: nil) }
    public func setStatus(_ caseID: Int64, to status: CaseStatus, resolution: Resolution? = nil) throws {
        try setStatus(caseID, to: status, resolution: resolution, comment: nil)
    }
}
