import Foundation
import HTTPClient
import Model
import Testing
@testable import Engine
@testable import Store
@testable import Sync

/// TheHive both ways: what TheHive users change on the cases and alerts taser made there comes
/// back as log entries by `thehive:<login>`, and taser's own changes are not taken for theirs.
@Suite struct TheHivePullTests {
    static func yaml(_ remotes: Remotes, pull: String = "30s") -> String {
        """
        defaults: { backoff: 50ms, max_backoff: 200ms, timeout: 20s }
        endpoints:
          hive: { type: thehive, url: "\(remotes.base)", api_key: "${secret:hive_key}", pull: \(pull) }
        """
    }

    /// A worker whose pulls the engine applies, as `taser sync run` and `serve` make it.
    static func worker(_ w: World, _ remotes: Remotes) throws -> SyncWorker {
        w.admin.syncWorker(config: try w.config(yaml(remotes)), secrets: w.secrets)
    }

    /// An alert promoted into a case, both sent to TheHive.
    static func pushed(_ w: World, _ worker: SyncWorker) throws -> (alert: Alert, caseID: Int64, remoteCase: String, remoteAlert: String) {
        let alert = try w.alert()
        let c = try w.ana.openCase(NewCase(title: "Jane's odd login", severity: .medium, owner: "ana", team: "soc", alertIDs: [alert.id]))
        try w.drain(worker)
        let remoteCase = try #require(try w.admin.store.read { tx in try tx.remoteID(endpoint: "hive", ref: "case:\(c.id)") }).id
        let remoteAlert = try #require(try w.admin.store.read { tx in try tx.remoteID(endpoint: "hive", ref: "alert:\(alert.id)") }).id
        return (alert, c.id, remoteCase, remoteAlert)
    }

    /// Pulls at `t` (a pull is due once its period has passed since the last one).
    static func pull(_ worker: SyncWorker, at t: Timestamp) -> Int { worker.pullDue(now: t) }

    static func later(_ seconds: Int64) -> Timestamp { Timestamp(ms: Timestamp.now.ms + seconds * 1000) }

    @Test func whatTheHiveUsersChangedLandsAsLogEntriesByThem() throws {
        let remotes = try Remotes(), w = try World()
        let worker = try Self.worker(w, remotes)
        let (alert, caseID, remoteCase, remoteAlert) = try Self.pushed(w, worker)
        let before = try w.admin.caseLog(caseID).count

        try remotes.hive("/_hive/edit", [
            "id": .string(remoteCase), "by": "alice@hive.example",
            "set": ["status": "InProgress", "severity": 4, "tags": ["taser", "phishing"], "assignee": "ben@hive.example"],
        ])
        try remotes.hive("/_hive/log", ["case": .string(remoteCase), "by": "alice@hive.example", "message": "Called the user: not her"])
        try remotes.hive("/_hive/observable", ["parent": .string(remoteCase), "by": "alice@hive.example", "dataType": "ip", "data": "198.51.100.7"])
        try remotes.hive("/_hive/edit", ["id": .string(remoteAlert), "by": "bob@hive.example", "set": ["tags": ["taser", "rule:new-location", "vip"], "severity": 4]])
        try remotes.hive("/_hive/observable", ["parent": .string(remoteAlert), "by": "bob@hive.example", "dataType": "domain", "data": "evil.example"])

        let sentBefore = try remotes.received().count
        #expect(Self.pull(worker, at: .now) == 9)
        let log = try w.admin.caseLog(caseID).dropFirst(before)
        let byAlice = log.filter { $0.author == "thehive:alice@hive.example" }
        #expect(byAlice.count == 6, "\(log.map { "\($0.author) \($0.kind) \($0.body)" })")
        #expect(byAlice.contains { $0.kind == .status && $0.body.contains("new → in_progress") })
        #expect(byAlice.contains { $0.kind == .severity && $0.body.contains("medium → critical") })
        #expect(byAlice.contains { $0.kind == .tags && $0.body == "Tags: +phishing" })
        #expect(byAlice.contains { $0.kind == .assignment && $0.body == "Assigned to ben" })
        #expect(byAlice.contains { $0.kind == .note && $0.body.contains("Called the user: not her") && $0.data?.contains("~log") == true })
        #expect(byAlice.contains { $0.kind == .link && $0.body.contains("ip 198.51.100.7") })
        let c = try w.admin.caseDetail(caseID).case
        #expect(c.status == .inProgress && c.severity == .critical && c.owner == "ben" && c.tags == ["phishing"])

        let detail = try w.admin.alertDetail(alert.id)
        #expect(detail.tags == ["vip"])
        #expect(detail.alert.severity == .critical)
        #expect(detail.addedArtifacts.contains { $0.type == .domain && $0.value == "evil.example" })
        #expect(detail.log.count == 3 && detail.log.allSatisfy { $0.author == "thehive:bob@hive.example" }, "\(detail.log)")

        // The pulled changes reach every endpoint but TheHive, whence they came.
        try w.drain(worker)
        let sentAfter = try remotes.received()
        // Only the pull's own reads went to TheHive: no PATCH, no task log, no observable.
        #expect(sentAfter.dropFirst(sentBefore).allSatisfy { $0.method == "GET" || $0.path == "/api/v1/query" },
                "\(sentAfter.dropFirst(sentBefore).map { "\($0.method) \($0.path)" })")
        let messages = try w.admin.store.read { tx in try tx.deliveries(status: .delivered, visibleTo: w.admin.actor) }
        #expect(!messages.isEmpty)

        // A second pull finds nothing new: nothing is applied twice.
        #expect(Self.pull(worker, at: Self.later(31)) == 0)
        #expect(try w.admin.caseLog(caseID).count == before + 6)
        #expect(try w.admin.alertDetail(alert.id).log.count == 3)
    }

    @Test func taserOwnChangesComingBackAreNotTakenForTheHives() throws {
        let remotes = try Remotes(), w = try World()
        let worker = try Self.worker(w, remotes)
        let (_, caseID, remoteCase, _) = try Self.pushed(w, worker)
        // taser's changes go out (PATCH by the endpoint's own user, task logs by it too)...
        try w.ana.setStatus(caseID, to: .inProgress)
        try w.ana.tag(caseID, add: ["ransomware"])
        try w.ana.addNote(caseID, "Isolated the laptop")
        try w.drain(worker)
        let remote = try remotes.hive("/_hive/object/\(remoteCase)", nil)
        #expect(remote["status"] == "InProgress" && remote["_updatedBy"] == "taser-bot@hive.example")
        let count = try w.admin.caseLog(caseID).count
        // ...and come back as they were sent: nothing to apply, nothing sent again.
        let sent = try remotes.received().count
        #expect(Self.pull(worker, at: .now) == 0)
        try w.drain(worker)
        #expect(try w.admin.caseLog(caseID).count == count)
        #expect(try remotes.received().dropFirst(sent).allSatisfy { $0.method == "GET" || $0.path == "/api/v1/query" })

        // A TheHive user closes it: that comes back, once.
        try remotes.hive("/_hive/edit", ["id": .string(remoteCase), "by": "alice@hive.example", "set": ["status": "TruePositive"]])
        #expect(Self.pull(worker, at: Self.later(31)) == 1)
        let c = try w.admin.caseDetail(caseID).case
        #expect(c.status == .closed && c.resolution == .truePositive)
        #expect(try w.admin.caseLog(caseID).last?.author == "thehive:alice@hive.example")
        #expect(Self.pull(worker, at: Self.later(62)) == 0)
        #expect(try w.admin.caseLog(caseID).count == count + 1)
    }

    @Test func whatTaserCannotApplyIsRecordedNotLost() throws {
        let remotes = try Remotes(), w = try World()
        let worker = try Self.worker(w, remotes)
        let (_, caseID, remoteCase, _) = try Self.pushed(w, worker)
        try w.ana.setStatus(caseID, to: .inProgress)
        try w.drain(worker)
        // Nobody here is zed, and taser's workflow never moves a case back to new.
        try remotes.hive("/_hive/edit", ["id": .string(remoteCase), "by": "carol@hive.example", "set": ["assignee": "zed@hive.example", "status": "New"]])
        #expect(Self.pull(worker, at: .now) == 2)
        let notes = try w.admin.caseLog(caseID).filter { $0.author == "thehive:carol@hive.example" }
        #expect(notes.count == 2 && notes.allSatisfy { $0.kind == .sync }, "\(notes.map(\.body))")
        #expect(notes.contains { $0.body.contains("zed@hive.example") && $0.body.contains("no analyst") })
        #expect(notes.contains { $0.body.contains("cannot go from in_progress to new") })
        let c = try w.admin.caseDetail(caseID).case
        #expect(c.status == .inProgress && c.owner == "ana")
        // Not again on the next pull.
        #expect(Self.pull(worker, at: Self.later(31)) == 0)
    }

    @Test func aPullIsNotDueBeforeItsPeriodAndItsFailureIsKept() throws {
        let remotes = try Remotes(), w = try World()
        let worker = try Self.worker(w, remotes)
        _ = try Self.pushed(w, worker)
        let t = Timestamp.now
        #expect(Self.pull(worker, at: t) == 0)
        let reads = try remotes.received().count
        // Within the period: no request at all.
        #expect(Self.pull(worker, at: Timestamp(ms: t.ms + 10_000)) == 0)
        #expect(try remotes.received().count == reads)
        // TheHive down: the error is kept, with the key taken out, and the cursor stays.
        try remotes.fault("/api/v1/user", status: 500, times: 1)
        let cursor = try #require(try w.admin.store.read { tx in try tx.theHivePull(endpoint: "hive") })
        #expect(Self.pull(worker, at: Timestamp(ms: t.ms + 31_000)) == 0)
        let failed = try #require(try w.admin.store.read { tx in try tx.theHivePull(endpoint: "hive") })
        #expect(failed.lastError?.contains("HTTP 500") == true && failed.since == cursor.since)
        #expect(failed.lastError?.contains(Remotes.hiveKey) == false)
        // `taser sync status` shows it to the admin; an analyst sees no pulls (they act on every team's cases).
        #expect(try w.admin.syncStatus().pulls.map(\.endpoint) == ["hive"])
        #expect(try w.admin.syncStatus().pulls.first?.lastError == failed.lastError)
        #expect(try w.ana.syncStatus().pulls.isEmpty)
    }

    @Test func aCaseDeletedInTheHiveDoesNotStopThePullForTheOthers() throws {
        let remotes = try Remotes(), w = try World()
        let worker = try Self.worker(w, remotes)
        let (_, gone, remoteGone, _) = try Self.pushed(w, worker)
        let (_, kept, remoteKept, _) = try Self.pushed(w, worker)
        try remotes.hive("/_hive/delete", ["id": .string(remoteGone)])
        try remotes.hive("/_hive/log", ["case": .string(remoteKept), "by": "alice@hive.example", "message": "Still here"])
        #expect(Self.pull(worker, at: .now) == 1)
        #expect(try w.admin.caseLog(kept).last?.body.contains("Still here") == true)
        #expect(try w.admin.caseLog(gone).allSatisfy { !$0.author.hasPrefix("thehive:") })
        #expect(try w.admin.store.read { tx in try tx.theHivePull(endpoint: "hive") }?.lastError == nil)
    }

    @Test func thePullPeriodIsBounded() throws {
        let w = try World()
        for bad in ["10s", "25h", "0s", "soon"] {
            #expect(throws: SyncError.self) { try w.config("endpoints:\n  hive: { type: thehive, url: \"https://h\", api_key: \"${secret:hive_key}\", pull: \(bad) }\n") }
        }
        let ok = try w.config("endpoints:\n  hive: { type: thehive, url: \"https://h\", api_key: \"${secret:hive_key}\", pull: 5m }\n")
        #expect(ok.endpoint(named: "hive")?.pullEvery == 300)
        // Only TheHive is pulled from.
        #expect(throws: SyncError.self) { try w.config("endpoints:\n  soc: { type: slack, token: \"${secret:slack_bot}\", channel: \"#soc\", pull: 5m }\n") }
    }
}

extension Remotes {
    /// The stand-in TheHive's controls: what a TheHive user does (`/_hive/edit`, `/_hive/log`,
    /// `/_hive/observable`) and what an object now is (`/_hive/object/ID`).
    @discardableResult
    func hive(_ path: String, _ body: JSONValue?) throws -> JSONValue {
        let request = HTTPRequest(method: body == nil ? "GET" : "POST", url: base + path, body: body.map { Array($0.text.utf8) }, timeout: 30)
        let response = try HTTPClient().send(request)
        #expect((200..<300).contains(response.status), "\(path): \(String(decoding: response.body, as: UTF8.self))")
        return try JSONValue.parse(response.body)
    }
}
