import Foundation
import AlertEngine
import Model
import Positron
import SignalServer
import Store

/// The daemon's dispatch: each operation's name to its Engine call, with its arguments and
/// result as JSON. `RemoteEngine` sends the same names with the same argument shapes.
enum TeamOperations {
    struct ID: Codable { var id: Int64 }
    struct IDs: Codable { var ids: [Int64] }
    struct Text: Codable { var text: String }
    struct Count: Codable { var count: Int }
    struct Done: Codable { var done = true }
    struct Note: Codable { var id: Int64; var text: String }
    struct AlertStatusChange: Codable { var ids: [Int64]; var status: AlertStatus; var reason: AlertCloseReason? }
    struct Correction: Codable { var id: Int64; var entry: Int64; var text: String }
    struct Assignment: Codable { var id: Int64; var owner: String? }
    struct Tags: Codable { var id: Int64; var add: [String]; var remove: [String] }
    struct ChannelRequest: Codable { var id: Int64; var endpoint: String }
    struct StatusChange: Codable { var id: Int64; var status: CaseStatus; var resolution: Resolution?; var comment: String? }
    struct Sharing: Codable { var id: Int64; var team: String; var level: ShareLevel? }
    struct Related: Codable { var id: Int64; var limit: Int }
    struct Page: Codable { var filter: QueueFilter; var order: QueueOrder; var after: QueuePosition?; var before: QueuePosition?; var limit: Int }
    struct QueueCount: Codable { var filter: QueueFilter; var cap: Int }
    struct Merge: Codable { var ids: [Int64]; var into: Int64 }
    struct PivotOn: Codable { var value: String; var type: ArtifactType? }
    struct Search: Codable { var text: String; var limit: Int; var buckets: Int }
    struct SignalsToCase: Codable { var ids: [Int64]; var search: String; var title: String?; var caseID: Int64? }
    struct RuleText: Codable { var name: String; var text: String; var enable: Bool? }
    struct RuleSwitch: Codable { var name: String; var enabled: Bool }
    struct Kinds: Codable { var kinds: [String] }
    struct FieldOfKind: Codable { var field: String; var kind: String }
    struct Limit: Codable { var limit: Int }
    struct Question: Codable { var query: String; var value: String }
    struct Name: Codable { var name: String }
    struct Pair: Codable { var a: String; var b: String }
    struct Membership: Codable { var analyst: String; var team: String }
    struct NewTeam: Codable { var name: String; var description: String }
    struct AddArtifact: Codable { var id: Int64; var mention: ArtifactMention }
    struct ArtifactQuery: Codable { var types: [ArtifactType]; var containing: String?; var limit: Int }
    struct ArtifactExportQuery: Codable { var types: [ArtifactType]; var kinds: [String]; var rules: [String]; var since: Timestamp?; var until: Timestamp? }
    struct QuarantineQuery: Codable { var all: Bool; var limit: Int }
    struct RuleAt: Codable { var name: String; var version: Int? }
    struct Simulation: Codable { var rule: Rule; var from: Timestamp?; var to: Timestamp?; var chain: [String] }
    struct Imported: Codable { var name: String; var language: String; var text: String; var rule: Rule }
    struct ImportedResult: Codable { var rule: StoredRule; var changed: Bool }
    struct IdentityQuery: Codable { var matching: String?; var limit: Int }
    struct People: Codable { var people: [[Identifier]]; var from: String }
    struct PeopleResult: Codable { var people: Int; var links: Int }
    struct Verification: Codable { var quick: Bool; var witness: LogWitness? }
    struct Linked: Codable { var linked: Bool }
    struct Jobs: Codable { var status: String?; var limit: Int }
    struct Replay: Codable { var id: Int64; var format: String? }
    struct EnrichWhat: Codable { var alert: Int64?; var value: String? }
    struct Enriched: Codable { var artifact: Artifact; var results: [QueryResult] }

    /// Bounds on what a client may ask for in one request, so a page or a search cannot make the
    /// daemon read without end on someone's behalf.
    static let mostRows = 100_000

    struct Call {
        let op: String
        let args: Data
        let engine: Engine
        let positron: PositronConfig?
        var ingester: (@Sendable (Int64) throws -> Ingester)? = nil
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: args) } catch {
                throw TeamWire.Problem("malformed arguments for \(op): \(error)")
            }
        }
        func rows(_ n: Int) throws -> Int {
            guard (0...TeamOperations.mostRows).contains(n) else { throw TeamWire.Problem("\(op) asks for \(n) rows; at most \(TeamOperations.mostRows)") }
            return n
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> String { String(decoding: try JSONEncoder().encode(value), as: UTF8.self) }

    static let handlers: [String: @Sendable (Call) throws -> String] = [
        "cases": { c in try encode(try c.engine.cases(try c.decode(CaseFilter.self))) },
        "case.detail": { c in try encode(try c.engine.caseDetail(try c.decode(ID.self).id)) },
        "case.document": { c in try encode(try c.engine.caseDocument(try c.decode(ID.self).id)) },
        "case.export": { c in try encode(try c.engine.exportCase(try c.decode(ID.self).id)) },
        "case.related": { c in
            let r = try c.decode(Related.self)
            return try encode(try c.engine.relatedCases(r.id, limit: try c.rows(r.limit)))
        },
        "enrichments": { c in try encode(try c.engine.enrichments(of: try c.decode(ID.self).id)) },
        "case.note": { c in
            let note = try c.decode(Note.self)
            return try encode(try c.engine.addNote(note.id, note.text))
        },
        "case.correct": { c in
            let x = try c.decode(Correction.self)
            return try encode(try c.engine.correct(x.id, entry: x.entry, x.text))
        },
        "case.assign": { c in
            let a = try c.decode(Assignment.self)
            try c.engine.assign(a.id, to: a.owner)
            return try encode(Done())
        },
        "case.tag": { c in
            let t = try c.decode(Tags.self)
            return try encode(try c.engine.tag(t.id, add: t.add, remove: t.remove))
        },
        "tags": { c in try encode(try c.engine.tagUses()) },
        "case.channel": { c in
            let r = try c.decode(ChannelRequest.self)
            return try encode(try c.engine.requestSlackChannel(r.id, endpoint: r.endpoint))
        },
        "case.status": { c in
            let x = try c.decode(StatusChange.self)
            try c.engine.setStatus(x.id, to: x.status, resolution: x.resolution, comment: x.comment)
            return try encode(Done())
        },
        "case.share": { c in
            let sh = try c.decode(Sharing.self)
            try c.engine.share(sh.id, with: sh.team, level: sh.level)
            return try encode(Done())
        },
        "case.open": { c in try encode(try c.engine.openCase(try c.decode(NewCase.self))) },
        "analysts": { c in try encode(try c.engine.analysts()) },
        "teams": { c in try encode(try c.engine.teams()) },
        "alerts": { c in AlertWire.text(try c.engine.alerts(try c.decode(AlertFilter.self))) },
        "alert": { c in try encode(try c.engine.alert(try c.decode(ID.self).id)) },
        "alert.detail": { c in try encode(try c.engine.alertDetail(try c.decode(ID.self).id)) },
        "queue.page": { c in
            let p = try c.decode(Page.self)
            return AlertWire.text(try c.engine.queuePage(p.filter, order: p.order, after: p.after, before: p.before, limit: try c.rows(p.limit)))
        },
        "queue.count": { c in
            let q = try c.decode(QueueCount.self)
            return try encode(Count(count: try c.engine.queueCount(q.filter, cap: try c.rows(q.cap))))
        },
        "alerts.status": { c in
            let x = try c.decode(AlertStatusChange.self)
            try c.engine.setStatus(ofAlerts: x.ids, to: x.status, reason: x.reason)
            return try encode(Done())
        },
        "alerts.merge": { c in
            let m = try c.decode(Merge.self)
            try c.engine.mergeAlerts(m.ids, into: m.into)
            return try encode(Done())
        },
        "pivot": { c in
            let p = try c.decode(PivotOn.self)
            return try encode(try c.engine.pivot(p.value, type: p.type))
        },
        "signal": { c in try encode(try c.engine.signalDetail(try c.decode(ID.self).id)) },
        "signals.search": { c in
            let s = try c.decode(Search.self)
            return try encode(try c.engine.searchSignals(s.text, limit: try c.rows(s.limit), buckets: min(max(s.buckets, 1), 1000)))
        },
        "signals.check": { c in
            try c.engine.checkSearch(try c.decode(Text.self).text)
            return try encode(Done())
        },
        "signals.case": { c in
            let s = try c.decode(SignalsToCase.self)
            if let caseID = s.caseID {
                try c.engine.addSignals(s.ids, search: s.search, toCase: caseID)
                return try encode(Done())
            }
            return try encode(try c.engine.openCase(fromSignals: s.ids, search: s.search, title: s.title ?? s.search))
        },
        "rules": { c in try encode(try c.engine.rules()) },
        "rule.add": { c in
            let r = try c.decode(RuleText.self)
            return try encode(try c.engine.addRule(name: r.name, text: r.text, enable: r.enable ?? false))
        },
        "rule.edit": { c in
            let r = try c.decode(RuleText.self)
            return try encode(try c.engine.editRule(name: r.name, text: r.text))
        },
        "rule.enable": { c in
            let r = try c.decode(RuleSwitch.self)
            return try encode(try c.engine.setRuleEnabled(name: r.name, r.enabled))
        },
        "rule.simulate": { c in try encode(try c.engine.simulate(ruleText: try c.decode(Text.self).text)) },
        "rule.simulate.saved": { c in try encode(try c.engine.simulate(savedRule: try c.decode(Text.self).text)) },
        "rule.fields": { c in try encode(try c.engine.ruleFields()) },
        "kinds": { c in try encode(try c.engine.kindCounts()) },
        "fields": { c in try encode(try c.engine.fieldNames(ofKinds: try c.decode(Kinds.self).kinds)) },
        "values": { c in
            let f = try c.decode(FieldOfKind.self)
            return try encode(try c.engine.topValues(field: f.field, kind: f.kind))
        },
        "sync.status": { c in try encode(try c.engine.syncStatus(limit: try c.rows(try c.decode(Limit.self).limit))) },
        "sync.retry": { c in try encode(Count(count: try c.engine.retryDeliveries(try c.decode(IDs.self).ids))) },
        "sync.retry.dead": { c in try encode(Count(count: try c.engine.retryAllDeadDeliveries())) },
        "sync.dead": { c in try encode(Count(count: try c.engine.deadDeliveryCount())) },
        "case.merge": { c in
            let m = try c.decode(Merge.self)
            guard let source = m.ids.first, m.ids.count == 1 else { throw TeamWire.Problem("case.merge takes one case") }
            try c.engine.mergeCase(source, into: m.into)
            return try encode(Done())
        },
        "case.artifacts": { c in try encode(try c.engine.caseArtifacts(try c.decode(ID.self).id)) },
        "case.artifact": { c in
            let a = try c.decode(AddArtifact.self)
            try c.engine.addArtifact(a.id, a.mention)
            return try encode(Done())
        },
        "artifacts": { c in
            let q = try c.decode(ArtifactQuery.self)
            return try encode(try c.engine.artifacts(types: q.types, containing: q.containing, limit: try c.rows(q.limit)))
        },
        "artifacts.export": { c in
            let q = try c.decode(ArtifactExportQuery.self)
            return try encode(try c.engine.exportArtifacts(types: q.types, kinds: q.kinds, rules: q.rules, since: q.since, until: q.until))
        },
        "signals": { c in
            var filter = try c.decode(SignalFilter.self)
            filter.limit = try c.rows(filter.limit)
            return try encode(try c.engine.signals(filter).map(WireSignal.init))
        },
        "quarantine": { c in
            let q = try c.decode(QuarantineQuery.self)
            return try encode(try c.engine.quarantined(all: q.all, limit: try c.rows(q.limit)))
        },
        "quarantine.item": { c in try encode(try c.engine.quarantineItem(try c.decode(ID.self).id)) },
        "rule": { c in try encode(try c.engine.rule(named: try c.decode(Name.self).name)) },
        "rule.versions": { c in try encode(try c.engine.ruleVersions(name: try c.decode(Name.self).name)) },
        "rule.history": { c in try encode(try c.engine.ruleHistory(name: try c.decode(Name.self).name)) },
        "rule.late": { c in try encode(Count(count: try c.engine.lateSignals(rule: try c.decode(Name.self).name))) },
        "rule.check": { c in try encode(try c.engine.checkRule(try c.decode(Text.self).text)) },
        "rule.compiled": { c in
            let r = try c.decode(RuleAt.self)
            return try encode(try c.engine.compiledRule(named: r.name, version: r.version))
        },
        "rule.simulate.compiled": { c in
            let s = try c.decode(Simulation.self)
            return try encode(try c.engine.simulate(s.rule, from: s.from, to: s.to, chain: s.chain))
        },
        "rule.import": { c in
            let r = try c.decode(Imported.self)
            let (stored, changed) = try c.engine.saveImportedRule(name: r.name, language: r.language, text: r.text, rule: r.rule)
            return try encode(ImportedResult(rule: stored, changed: changed))
        },
        "team.add": { c in
            let t = try c.decode(NewTeam.self)
            try c.engine.addTeam(t.name, description: t.description)
            return try encode(Done())
        },
        "team.member.add": { c in
            let m = try c.decode(Membership.self)
            try c.engine.addMember(m.analyst, to: m.team)
            return try encode(Done())
        },
        "team.member.remove": { c in
            let m = try c.decode(Membership.self)
            try c.engine.removeMember(m.analyst, from: m.team)
            return try encode(Done())
        },
        "analyst.add": { c in
            try c.engine.addAnalyst(try c.decode(Analyst.self))
            return try encode(Done())
        },
        "identities": { c in
            let q = try c.decode(IdentityQuery.self)
            return try encode(try c.engine.identities(matching: q.matching, limit: try c.rows(q.limit)))
        },
        "identities.link": { c in
            let p = try c.decode(Pair.self)
            return try encode(Linked(linked: try c.engine.linkIdentifiers(p.a, p.b)))
        },
        "identities.unlink": { c in
            let p = try c.decode(Pair.self)
            try c.engine.unlinkIdentifiers(p.a, p.b)
            return try encode(Done())
        },
        "identities.import": { c in
            let p = try c.decode(People.self)
            let (people, links) = try c.engine.importIdentities(p.people, from: p.from)
            return try encode(PeopleResult(people: people, links: links))
        },
        "verify": { c in
            let v = try c.decode(Verification.self)
            return try encode(try c.engine.verify(quick: v.quick, witness: v.witness))
        },
        "verify.publish": { c in try encode(try c.engine.publishLogHeads()) },
        "positron.audit": { c in try encode(try c.engine.queryAudit(limit: try c.rows(try c.decode(Limit.self).limit))) },
        "automation.questions": { c in try encode(try c.engine.waitingQuestions(limit: try c.rows(try c.decode(Limit.self).limit))) },
        "automation.jobs": { c in
            let j = try c.decode(Jobs.self)
            return try encode(try c.engine.automationJobs(status: j.status, limit: try c.rows(j.limit)))
        },
        "enrich": { c in
            let e = try c.decode(EnrichWhat.self)
            guard let positron = c.positron else {
                throw TeamWire.Problem("the daemon has no Positron config; its admin starts it with one (taser serve --positron FILE)")
            }
            return try encode(try c.engine.enrich(alert: e.alert, value: e.value, with: positron).map { Enriched(artifact: $0.artifact, results: $0.results) })
        },
        "quarantine.replay": { c in
            let r = try c.decode(Replay.self)
            guard let make = c.ingester else { throw TeamWire.Problem("this daemon does not ingest (it serves only the socket of a bench or a test)") }
            return try encode(try c.engine.replay(r.id, format: r.format, with: try make(Engine.defaultLateness)))
        },
        "positron.catalog": { c in try encode(c.positron.map { $0.router.catalog.names.compactMap($0.router.catalog.query) } ?? []) },
        "positron.ask": { c in
            let q = try c.decode(Question.self)
            guard let positron = c.positron else {
                throw TeamWire.Problem("the daemon has no Positron config; its admin starts it with one (taser serve --positron FILE)")
            }
            return try encode(try c.engine.query(q.query, q.value, with: positron))
        },
    ]

    static func run(_ request: TeamRequest, on engine: Engine, positron: PositronConfig? = nil, ingester: (@Sendable (Int64) throws -> Ingester)? = nil) throws -> String {
        guard let handler = handlers[request.op] else {
            throw TeamWire.Problem("no operation '\(request.op)' in protocol \(TeamWire.protocolVersion); the client and the daemon disagree, use the daemon's version of taser")
        }
        return try handler(Call(op: request.op, args: Data(request.args.utf8), engine: engine, positron: positron, ingester: ingester))
    }

    /// An error as the client shows it: the same text the embedded CLI prints for it, and the
    /// typed error itself where clients tell kinds apart (the console words "no case N" its
    /// own way; the rule editor puts a caret under a `RuleError`).
    static func failure(_ error: any Error) -> TeamFailure {
        if let failure = error as? TeamFailure { return failure }
        var failure = TeamFailure(message: "\(error)", exitCode: 1)
        failure.engineError = error as? EngineError
        failure.ruleError = error as? RuleError
        return failure
    }
}
