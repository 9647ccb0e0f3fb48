import Foundation
import Model
import Positron
import SignalServer
import Store
#if canImport(Glibc)
import Glibc
#endif

/// The client's side of team mode: the `TaserAPI` over the daemon's socket. Each request is one
/// round trip on a connection of its own from a small pool, so the console's search running on
/// a worker thread does not hold up a keystroke's page. A failure comes back as the daemon's
/// error (typed where the Engine's or the rule compiler's), a connection lost mid-request as
/// "may not have been applied". Live updates come on one more connection, where the daemon
/// pushes a stamp whenever the database changes (`changes`).
public final class RemoteEngine: TaserAPI, @unchecked Sendable {
    public let socketPath: String
    public let welcome: TeamWelcome
    let actingAs: String?
    private let lock = NSLock()
    private var idle: [Int32] = []
    private var nextID: Int64 = 1
    /// Connections kept open between requests; more are opened while these are busy.
    static let mostIdle = 4
    private var feed: ChangeFeedClient?

    public var callerName: String { welcome.user }
    public var callerIsAdmin: Bool { welcome.admin }
    public var location: String { "the daemon at \(socketPath)" }

    public init(socket path: String, actingAs: String? = nil) throws {
        socketPath = path
        self.actingAs = actingAs
        let (fd, welcome) = try RemoteEngine.open(path, actingAs: actingAs)
        self.welcome = welcome
        idle = [fd]
    }

    deinit {
        for fd in idle { Glibc.close(fd) }
        feed?.stop()
    }

    /// A connection that has said hello, and the daemon's welcome.
    static func open(_ path: String, actingAs: String?) throws -> (Int32, TeamWelcome) {
        let fd = try TeamClientSocket.connect(path)
        do {
            do {
                try TeamWire.send(TeamHello(protocolVersion: TeamWire.protocolVersion, version: TaserVersion.current, actingAs: actingAs), on: fd)
            } catch {
                // The daemon may have refused before reading the hello (too many connections)
                // and closed: its reason is waiting to be read, and says more than the broken pipe.
            }
            return (fd, try TeamClientSocket.welcome(fd))
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    func call<T: Decodable>(_ op: String, _ args: some Encodable, as type: T.Type) throws -> T {
        let result = try callText(op, args)
        do {
            return try JSONDecoder().decode(T.self, from: Data(result.utf8))
        } catch {
            throw TeamWire.Problem("the daemon's answer to \(op) is malformed (\(error))")
        }
    }

    /// Alerts in the compact form (`AlertWire`): the queue's pages.
    func callAlerts(_ op: String, _ args: some Encodable) throws -> [Alert] {
        let result = try callText(op, args)
        do { return try AlertWire.alerts(result) } catch { throw TeamWire.Problem("the daemon's answer to \(op) is malformed (\(error))") }
    }

    /// One request's answer as the daemon wrote it.
    func callText(_ op: String, _ args: some Encodable) throws -> String {
        let (fd, id) = try lock.withLock { () throws -> (Int32?, Int64) in
            defer { nextID += 1 }
            return (idle.popLast(), nextID)
        }
        let connection = try fd ?? RemoteEngine.open(socketPath, actingAs: actingAs).0
        var healthy = false
        defer {
            lock.withLock {
                if healthy && idle.count < RemoteEngine.mostIdle { idle.append(connection) } else { Glibc.close(connection) }
            }
        }
        let text = String(decoding: try JSONEncoder().encode(args), as: UTF8.self)
        do {
            try TeamWire.send(TeamRequest(id: id, op: op, args: text), on: connection)
        } catch {
            throw TeamFailure(message: "the daemon on \(socketPath) went away before the request was sent (\(error)); nothing was applied", exitCode: 1)
        }
        let response = try? TeamWire.receive(TeamResponse.self, on: connection)
        guard let response, response.id == id else {
            throw TeamFailure(message: "the daemon on \(socketPath) went away during the request: it may or may not have been applied; check, then run it again", exitCode: 1)
        }
        healthy = true
        if let failure = response.failure { throw failure.typed }
        guard let result = response.result else { throw TeamWire.Problem("the daemon answered neither a result nor a failure") }
        return result
    }

    private func done(_ op: String, _ args: some Encodable) throws { _ = try call(op, args, as: TeamOperations.Done.self) }
    private func count(_ op: String, _ args: some Encodable) throws -> Int { try call(op, args, as: TeamOperations.Count.self).count }
    typealias Op = TeamOperations

    /// The last stamp the daemon pushed; the first call subscribes. When the feed is lost the
    /// stamp says so (and changes), so the console redraws and its next request reports why.
    public func changeStamp() -> String {
        lock.withLock {
            if feed == nil { feed = ChangeFeedClient(socket: socketPath, actingAs: actingAs) }
            return feed?.stamp ?? "-"
        }
    }

    public func cases(_ filter: CaseFilter) throws -> [CaseSummary] { try call("cases", filter, as: [CaseSummary].self) }
    public func caseDetail(_ id: Int64) throws -> CaseDetail { try call("case.detail", Op.ID(id: id), as: CaseDetail.self) }
    public func caseDocument(_ id: Int64) throws -> JSONValue { try call("case.document", Op.ID(id: id), as: JSONValue.self) }
    public func exportCase(_ id: Int64) throws -> CaseExport { try call("case.export", Op.ID(id: id), as: CaseExport.self) }
    public func relatedCases(_ id: Int64, limit: Int) throws -> [RelatedCase] { try call("case.related", Op.Related(id: id, limit: limit), as: [RelatedCase].self) }
    public func enrichments(of artifact: Int64) throws -> [Enrichment] { try call("enrichments", Op.ID(id: artifact), as: [Enrichment].self) }
    @discardableResult public func addNote(_ caseID: Int64, _ text: String) throws -> LogEntry {
        try call("case.note", Op.Note(id: caseID, text: text), as: LogEntry.self)
    }
    @discardableResult public func correct(_ caseID: Int64, entry seq: Int64, _ text: String) throws -> LogEntry {
        try call("case.correct", Op.Correction(id: caseID, entry: seq, text: text), as: LogEntry.self)
    }
    public func assign(_ caseID: Int64, to owner: String?) throws { try done("case.assign", Op.Assignment(id: caseID, owner: owner)) }
    @discardableResult public func tag(_ caseID: Int64, add: [String], remove: [String]) throws -> [String] {
        try call("case.tag", Op.Tags(id: caseID, add: add, remove: remove), as: [String].self)
    }
    public func tagUses() throws -> [TagUse] { try call("tags", Op.Done(), as: [TagUse].self) }
    @discardableResult public func requestSlackChannel(_ caseID: Int64, endpoint: String) throws -> CaseChannel {
        try call("case.channel", Op.ChannelRequest(id: caseID, endpoint: endpoint), as: CaseChannel.self)
    }
    public func setStatus(_ caseID: Int64, to status: CaseStatus, resolution: Resolution?, comment: String?) throws {
        try done("case.status", Op.StatusChange(id: caseID, status: status, resolution: resolution, comment: comment))
    }
    public func share(_ caseID: Int64, with team: String, level: ShareLevel?) throws { try done("case.share", Op.Sharing(id: caseID, team: team, level: level)) }
    public func openCase(_ new: NewCase) throws -> Case { try call("case.open", new, as: Case.self) }
    public func analysts() throws -> [Analyst] { try call("analysts", Op.Done(), as: [Analyst].self) }
    public func teams() throws -> [Team] { try call("teams", Op.Done(), as: [Team].self) }

    public func alerts(_ filter: AlertFilter) throws -> [Alert] { try callAlerts("alerts", filter) }
    public func alert(_ id: Int64) throws -> Alert { try call("alert", Op.ID(id: id), as: Alert.self) }
    public func alertDetail(_ id: Int64) throws -> AlertDetail { try call("alert.detail", Op.ID(id: id), as: AlertDetail.self) }
    public func queuePage(_ filter: QueueFilter, order: QueueOrder, after: QueuePosition?, before: QueuePosition?, limit: Int) throws -> [Alert] {
        try callAlerts("queue.page", Op.Page(filter: filter, order: order, after: after, before: before, limit: limit))
    }
    public func queueCount(_ filter: QueueFilter, cap: Int) throws -> Int { try count("queue.count", Op.QueueCount(filter: filter, cap: cap)) }
    public func setStatus(ofAlerts ids: [Int64], to status: AlertStatus, reason: AlertCloseReason?) throws {
        try done("alerts.status", Op.AlertStatusChange(ids: ids, status: status, reason: reason))
    }
    public func mergeAlerts(_ alertIDs: [Int64], into caseID: Int64) throws { try done("alerts.merge", Op.Merge(ids: alertIDs, into: caseID)) }

    public func pivot(_ value: String, type: ArtifactType?) throws -> [Pivot] { try call("pivot", Op.PivotOn(value: value, type: type), as: [Pivot].self) }
    public func signalDetail(_ id: Int64) throws -> SignalDetail { try call("signal", Op.ID(id: id), as: SignalDetail.self) }
    public func searchSignals(_ text: String, limit: Int, buckets: Int) throws -> SearchResult {
        try call("signals.search", Op.Search(text: text, limit: limit, buckets: buckets), as: SearchResult.self)
    }
    public func checkSearch(_ text: String) throws { try done("signals.check", Op.Text(text: text)) }
    public func openCase(fromSignals ids: [Int64], search: String, title: String) throws -> Case {
        try call("signals.case", Op.SignalsToCase(ids: ids, search: search, title: title, caseID: nil), as: Case.self)
    }
    public func addSignals(_ ids: [Int64], search: String, toCase caseID: Int64) throws {
        try done("signals.case", Op.SignalsToCase(ids: ids, search: search, title: nil, caseID: caseID))
    }

    public func rules() throws -> [StoredRule] { try call("rules", Op.Done(), as: [StoredRule].self) }
    public func addRule(name: String, text: String, enable: Bool) throws -> StoredRule {
        try call("rule.add", Op.RuleText(name: name, text: text, enable: enable), as: StoredRule.self)
    }
    public func editRule(name: String, text: String) throws -> StoredRule { try call("rule.edit", Op.RuleText(name: name, text: text), as: StoredRule.self) }
    public func setRuleEnabled(name: String, _ enabled: Bool) throws -> StoredRule { try call("rule.enable", Op.RuleSwitch(name: name, enabled: enabled), as: StoredRule.self) }
    public func simulate(ruleText: String) throws -> SimulationReport { try call("rule.simulate", Op.Text(text: ruleText), as: SimulationReport.self) }
    public func simulate(savedRule name: String) throws -> SimulationReport { try call("rule.simulate.saved", Op.Text(text: name), as: SimulationReport.self) }
    public func ruleFields() throws -> [String] { try call("rule.fields", Op.Done(), as: [String].self) }
    public func kindCounts() throws -> [KindCount] { try call("kinds", Op.Done(), as: [KindCount].self) }
    public func fieldNames(ofKinds kinds: [String]) throws -> [FieldPresence] { try call("fields", Op.Kinds(kinds: kinds), as: [FieldPresence].self) }
    public func topValues(field: String, kind: String) throws -> [ValueCount] { try call("values", Op.FieldOfKind(field: field, kind: kind), as: [ValueCount].self) }

    public func syncStatus(limit: Int) throws -> SyncStatus { try call("sync.status", Op.Limit(limit: limit), as: SyncStatus.self) }
    public func retryDeliveries(_ ids: [Int64]) throws -> Int { try count("sync.retry", Op.IDs(ids: ids)) }
    public func retryAllDeadDeliveries() throws -> Int { try count("sync.retry.dead", Op.Done()) }
    public func deadDeliveryCount() throws -> Int { try count("sync.dead", Op.Done()) }

    public func mergeCase(_ source: Int64, into target: Int64) throws { try done("case.merge", Op.Merge(ids: [source], into: target)) }
    public func caseArtifacts(_ id: Int64) throws -> [CaseArtifact] { try call("case.artifacts", Op.ID(id: id), as: [CaseArtifact].self) }
    public func addArtifact(_ caseID: Int64, _ mention: ArtifactMention) throws { try done("case.artifact", Op.AddArtifact(id: caseID, mention: mention)) }
    public func artifacts(types: [ArtifactType], containing value: String?, limit: Int) throws -> [ArtifactCount] {
        try call("artifacts", Op.ArtifactQuery(types: types, containing: value, limit: limit), as: [ArtifactCount].self)
    }
    public func exportArtifacts(types: [ArtifactType], kinds: [String], rules: [String], since: Timestamp?, until: Timestamp?) throws -> ArtifactExport {
        try call("artifacts.export", Op.ArtifactExportQuery(types: types, kinds: kinds, rules: rules, since: since, until: until), as: ArtifactExport.self)
    }
    public func signals(_ filter: SignalFilter) throws -> [(signal: Signal, artifacts: [(artifact: Artifact, role: String)])] {
        try call("signals", filter, as: [WireSignal].self).map(\.item)
    }
    public func quarantined(all: Bool, limit: Int) throws -> [QuarantineItem] { try call("quarantine", Op.QuarantineQuery(all: all, limit: limit), as: [QuarantineItem].self) }
    public func quarantineItem(_ id: Int64) throws -> QuarantineItem { try call("quarantine.item", Op.ID(id: id), as: QuarantineItem.self) }
    public func rule(named name: String) throws -> StoredRule { try call("rule", Op.Name(name: name), as: StoredRule.self) }
    public func ruleVersions(name: String) throws -> [RuleVersion] { try call("rule.versions", Op.Name(name: name), as: [RuleVersion].self) }
    public func ruleHistory(name: String) throws -> [RuleChange] { try call("rule.history", Op.Name(name: name), as: [RuleChange].self) }
    public func lateSignals(rule name: String) throws -> Int { try count("rule.late", Op.Name(name: name)) }
    public func checkRule(_ text: String) throws -> Rule { try call("rule.check", Op.Text(text: text), as: Rule.self) }
    public func compiledRule(named name: String, version: Int?) throws -> Rule { try call("rule.compiled", Op.RuleAt(name: name, version: version), as: Rule.self) }
    public func simulate(_ rule: Rule, from: Timestamp?, to: Timestamp?, chain: [String]) throws -> SimulationReport {
        try call("rule.simulate.compiled", Op.Simulation(rule: rule, from: from, to: to, chain: chain), as: SimulationReport.self)
    }
    public func saveImportedRule(name: String, language: String, text: String, rule: Rule) throws -> (rule: StoredRule, changed: Bool) {
        let r = try call("rule.import", Op.Imported(name: name, language: language, text: text, rule: rule), as: Op.ImportedResult.self)
        return (r.rule, r.changed)
    }
    public func addTeam(_ name: String, description: String) throws { try done("team.add", Op.NewTeam(name: name, description: description)) }
    public func addMember(_ analyst: String, to team: String) throws { try done("team.member.add", Op.Membership(analyst: analyst, team: team)) }
    public func removeMember(_ analyst: String, from team: String) throws { try done("team.member.remove", Op.Membership(analyst: analyst, team: team)) }
    public func addAnalyst(_ analyst: Analyst) throws { try done("analyst.add", analyst) }
    public func identities(matching: String?, limit: Int) throws -> [IdentityRecord] {
        try call("identities", Op.IdentityQuery(matching: matching, limit: limit), as: [IdentityRecord].self)
    }
    public func linkIdentifiers(_ a: String, _ b: String) throws -> Bool { try call("identities.link", Op.Pair(a: a, b: b), as: Op.Linked.self).linked }
    public func unlinkIdentifiers(_ a: String, _ b: String) throws { try done("identities.unlink", Op.Pair(a: a, b: b)) }
    public func importIdentities(_ people: [[Identifier]], from name: String) throws -> (people: Int, links: Int) {
        let r = try call("identities.import", Op.People(people: people, from: name), as: Op.PeopleResult.self)
        return (r.people, r.links)
    }
    public func verify(quick: Bool, witness: LogWitness?) throws -> VerifyReport { try call("verify", Op.Verification(quick: quick, witness: witness), as: VerifyReport.self) }
    public func publishLogHeads() throws -> LogWitness { try call("verify.publish", Op.Done(), as: LogWitness.self) }
    public func queryAudit(limit: Int) throws -> [QueryAuditEntry] { try call("positron.audit", Op.Limit(limit: limit), as: [QueryAuditEntry].self) }
    public func waitingQuestions(limit: Int) throws -> [AutomationAsk] { try call("automation.questions", Op.Limit(limit: limit), as: [AutomationAsk].self) }
    public func automationJobs(status: String?, limit: Int) throws -> [AutomationJob] { try call("automation.jobs", Op.Jobs(status: status, limit: limit), as: [AutomationJob].self) }

    public func enrich(alert: Int64?, value: String?, with positron: PositronConfig) throws -> [(artifact: Artifact, results: [QueryResult])] {
        try call("enrich", Op.EnrichWhat(alert: alert, value: value), as: [Op.Enriched].self).map { ($0.artifact, $0.results) }
    }

    /// The queries the daemon's Positron answers, for the console's prompt (empty when the
    /// daemon has no Positron config).
    public func positronQueries() throws -> [QueryDefinition] { try call("positron.catalog", Op.Done(), as: [QueryDefinition].self) }

    public func ask(_ query: String, _ value: String, with positron: PositronConfig) throws -> QueryResult {
        // The daemon asks through its own config; `positron` is the console's, for its prompt.
        try call("positron.ask", Op.Question(query: query, value: value), as: QueryResult.self)
    }
}

enum TeamClientSocket {
    /// Connects, or says which socket and how to start the daemon.
    /// A Unix socket address for `path`; nil when the path is longer than one can hold.
    static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return address
    }

    static func connect(_ path: String) throws -> Int32 {
        guard var address = address(path) else {
            throw TeamFailure(message: "the socket path \(path) is too long for a Unix socket; choose a shorter one", exitCode: 1)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TeamFailure(message: "cannot make a socket (\(String(cString: strerror(errno))))", exitCode: 1) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            let why: String
            switch code {
            case ENOENT, ECONNREFUSED: why = "no taser daemon is running there; start it as the service account: taser serve --socket \(path)"
            case EACCES: why = "you may not connect to it (its permissions or its directory's group decide who may; ask the admin to add you)"
            default: why = String(cString: strerror(code))
            }
            throw TeamFailure(message: "cannot reach the taser daemon at \(path): \(why)", exitCode: 1)
        }
        return fd
    }

    static func welcome(_ fd: Int32) throws -> TeamWelcome {
        // The daemon answers a welcome, or a failure (another version, --as refused) and closes.
        struct Either: Decodable {
            var protocolVersion: Int?, version: String?, user: String?, admin: Bool?
            var message: String?, exitCode: Int32?
        }
        guard let answer = try TeamWire.receive(Either.self, on: fd) else {
            throw TeamFailure(message: "the taser daemon closed the connection at once", exitCode: 1)
        }
        if let message = answer.message { throw TeamFailure(message: message, exitCode: answer.exitCode ?? 1) }
        guard let p = answer.protocolVersion, let v = answer.version, let user = answer.user, let admin = answer.admin else {
            throw TeamFailure(message: "the daemon's welcome is malformed", exitCode: 1)
        }
        return TeamWelcome(protocolVersion: p, version: v, user: user, admin: admin)
    }
}
