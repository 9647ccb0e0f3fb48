import Credentials
import Foundation
import Model
import Testing
@testable import Engine
@testable import Store
@testable import Sync

/// Retries, dead letters, order, leases: what the worker does when the other side misbehaves.
@Suite struct DeliveryTests {
    static func hook(_ remotes: Remotes, path: String = "/hook/a", extra: String = "") -> String {
        """
        defaults: { backoff: 50ms, max_backoff: 200ms, timeout: 20s }
        endpoints:
          hook: { type: webhook, url: "\(remotes.base)\(path)", hmac_secret: "${secret:hook_key}"\(extra) }
        """
    }

    func notes(_ w: World, caseID: Int64, _ n: Int) throws {
        for i in 1...n { try w.ana.addNote(caseID, "note \(i)") }
    }

    @Test func failuresAreRetriedUntilDeliveredWithNoLossAndNoDuplicates() throws {
        let remotes = try Remotes(), w = try World()
        let a = try w.ana.openCase(NewCase(title: "A", team: "soc"))
        let b = try w.ana.openCase(NewCase(title: "B", team: "soc"))
        try notes(w, caseID: a.id, 4)
        try notes(w, caseID: b.id, 4)
        try remotes.fault("/hook", status: 500, times: 3)
        try remotes.fault("/hook", status: 503, times: 1)
        try remotes.fault("/hook", status: 429, times: 1, retryAfter: 1)
        try remotes.fault("/hook", status: 408, times: 1)
        try w.drain(try w.worker(Self.hook(remotes)))
        let got = try remotes.received()
        let keys = try w.admin.store.read { tx in try tx.deliveries(status: .delivered, visibleTo: w.admin.actor).count }
        let delivered = got.filter(\.ok).map(\.key)
        #expect(delivered.count == keys && Set(delivered).count == keys)  // every message once
        #expect(got.filter { !$0.ok }.count == 6)
        // Each message for one case arrived in the order it was written, failures or not.
        for c in [a.id, b.id] {
            let seqs = got.filter { $0.ok && $0.body["entity_id"] == .int(c) }.map(\.key)
            let written = try w.admin.store.read { tx in try tx.deliveries(status: .delivered, visibleTo: w.admin.actor) }.filter { $0.entityID == c }
                .sorted { $0.outboxID < $1.outboxID }.map(\.outboxID)
            #expect(seqs.count == written.count && seqs.count == 6)
        }
        let order = got.filter(\.ok).map { ($0.body["entity_id"]?.stringValue ?? "", $0.key) }
        for c in [a.id, b.id] {
            let sent = order.filter { $0.0 == "\(c)" }.map(\.1)
            let expected = try outboxKeys(w, entity: c)
            #expect(sent == expected)
        }
        #expect(try w.deliveries(.dead).isEmpty && w.deliveries(.pending).isEmpty)
    }

    func outboxKeys(_ w: World, entity: Int64) throws -> [String] {
        try w.admin.store.read { tx in try tx.deliveries(status: .delivered, visibleTo: w.admin.actor) }.filter { $0.entityID == entity }
            .sorted { $0.outboxID < $1.outboxID }.map { d in
                // The key of the outbox row behind each delivery.
                (try! w.admin.store.read { tx in try tx.outboxKey(d.outboxID) }) ?? ""
            }
    }

    @Test func aLaterMessageWaitsForTheEarlierOneOfTheSameEntity() throws {
        let remotes = try Remotes(), w = try World()
        let t = Timestamp(ms: 1_800_000_000_000)
        let a = try w.ana.openCase(NewCase(title: "A", team: "soc"))
        try notes(w, caseID: a.id, 2)
        let b = try w.ana.openCase(NewCase(title: "B", team: "soc"))
        try remotes.fault("/hook", status: 500, times: 1)  // the very first message: case A created
        let worker = try w.worker(Self.hook(remotes), clock: { t })
        let pass = try worker.deliverDue(now: t)
        #expect(pass.retried == 1)
        let got = try remotes.received()
        // Nothing more of case A went out while its first message waits; case B went through.
        #expect(got.filter { $0.body["entity_id"] == .int(a.id) }.count == 1)
        #expect(got.filter { $0.ok && $0.body["entity_id"] == .int(b.id) }.count == 2)
        let waiting = try w.deliveries(.pending).filter { $0.entityID == a.id }
        #expect(waiting.count == 4 && waiting.first?.attempts == 1 && waiting.first?.lastError?.contains("HTTP 500") == true)
        // Backoff: 50 ms, with jitter between half and all of it.
        let delay = waiting[0].nextAttemptAt.ms - t.ms
        #expect(delay >= 25 && delay <= 50)
        let later = Timestamp(ms: t.ms + 1000)
        try worker.deliverDue(now: later)
        let sent = try remotes.received().filter { $0.ok && $0.body["entity_id"] == .int(a.id) }.map(\.key)
        #expect(sent == (try outboxKeys(w, entity: a.id)) && sent.count == 4)
    }

    @Test func retryAfterIsHonouredAndMaxAttemptsMakeADeadLetter() throws {
        let remotes = try Remotes(), w = try World()
        let t = Timestamp(ms: 1_800_000_000_000)
        try w.enqueue(id: 1, event: "page", payload: ["text": "one"], key: "k-429")
        try remotes.fault("/hook", status: 429, times: 1, retryAfter: 7)
        let worker = try w.worker(Self.hook(remotes, extra: ", max_attempts: 3"), clock: { t })
        try worker.deliverDue(now: t)
        let waiting = try #require(try w.deliveries(.pending).first)
        #expect(waiting.nextAttemptAt.ms == t.ms + 7000 && waiting.lastError?.contains("HTTP 429") == true)
        // Not due before then.
        #expect(try worker.deliverDue(now: Timestamp(ms: t.ms + 6000)).attempted == 0)
        try remotes.fault("/hook", status: 502, times: 2)
        // The worker's clock stands still, so the second 502's backoff is over at once and the
        // same pass makes the third attempt; the pass counts that failure as what it became.
        #expect(try worker.deliverDue(now: Timestamp(ms: t.ms + 7000)) == SyncWorker.Pass(retried: 1, dead: 1))
        try worker.deliverDue(now: Timestamp(ms: t.ms + 60_000))
        let dead = try #require(try w.deliveries(.dead).first)
        #expect(dead.attempts == 3 && dead.lastError?.contains("HTTP 502") == true && dead.lastError?.contains("gave up after 3 attempts") == true)
        // A dead letter stays dead until someone retries it; then it goes through.
        #expect(try worker.deliverDue(now: Timestamp(ms: t.ms + 120_000)).attempted == 0)
        _ = try w.admin.retryDeliveries([dead.id])
        try w.drain(try w.worker(Self.hook(remotes)))
        let got = try remotes.received().filter { $0.key == "k-429" }
        #expect(got.map(\.status) == [429, 502, 502, 200])
        #expect(throws: EngineError.self) { try w.admin.retryDeliveries([dead.id]) }  // delivered, not dead
        #expect(try w.admin.store.read { tx in try tx.outboxStatus(1) } == "delivered")
    }

    @Test func fourHundredsAreDeadAtOnceAndSecretsStayOut() throws {
        let remotes = try Remotes(), w = try World()
        try w.enqueue(id: 1, event: "case.updated", payload: ["id": 1, "title": "T"], key: "k-1")
        try remotes.fault("/hook", status: 422, times: 1)
        let wrong = Secrets(values: ["hive_key": "wrong-hive-s3cret", "jira_token": "wrong-jira-s3cret", "slack_bot": "xoxb-wrong-s3cret", "hook_key": "h-key"], environment: [:])
        let config = try SyncConfig.parse(yaml: """
            endpoints:
              hook: { type: webhook, url: "\(remotes.base)/hook/x", hmac_secret: "${secret:hook_key}" }
              hive: { type: thehive, url: "\(remotes.base)", api_key: "${secret:hive_key}" }
              jira: { type: jira, url: "\(remotes.base)", project: SEC, email: bot@acme.example, token: "${secret:jira_token}" }
              slack: { type: slack, url: "\(remotes.base)/slack/api", token: "${secret:slack_bot}", channel: "#soc" }
            """, file: "sync.yaml", secrets: wrong)
        let worker = SyncWorker(store: w.admin.store, config: config, secrets: wrong)
        let pass = try worker.deliverDue()
        #expect(pass.dead == 4 && pass.attempted == 4)
        let dead = try w.deliveries(.dead)
        let errors = Dictionary(uniqueKeysWithValues: dead.map { ($0.endpoint, $0.lastError ?? "") })
        #expect(errors["hook"]?.contains("HTTP 422") == true)
        #expect(errors["hive"]?.contains("HTTP 401") == true && errors["hive"]?.contains("Authentication failure") == true)
        #expect(errors["jira"]?.contains("HTTP 401") == true && errors["slack"]?.contains("invalid_auth") == true)
        // The servers echo the credentials they got; none of them is recorded.
        let basic = Data("bot@acme.example:wrong-jira-s3cret".utf8).base64EncodedString()
        for e in errors.values {
            for secret in ["wrong-hive-s3cret", "wrong-jira-s3cret", "xoxb-wrong-s3cret", basic] { #expect(!e.contains(secret), "\(e)") }
        }
        #expect(dead.allSatisfy { $0.attempts == 1 })
    }

    @Test func timeoutsAndRefusedConnectionsAreRetried() throws {
        let remotes = try Remotes(), w = try World()
        // A port nothing listens on: bound, then closed.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let closedPort = Int(UInt16(bigEndian: addr.sin_port))
        close(fd)
        try w.enqueue(id: 1, event: "page", payload: ["text": "slow"], key: "k-slow")
        try remotes.fault("/hook", times: 1, delay: 60)
        let worker = try w.worker("""
            endpoints:
              slow: { type: webhook, url: "\(remotes.base)/hook/slow", timeout: 3s }
              gone: { type: webhook, url: "http://127.0.0.1:\(closedPort)/hook" }
            """)
        let t0 = Date()
        let pass = try worker.deliverDue()
        #expect(Date().timeIntervalSince(t0) < 45)  // did not wait for the 60 s answer
        #expect(pass.retried >= 2 && pass.delivered == 0)  // the refused one may come round again meanwhile
        let errors = Dictionary(uniqueKeysWithValues: try w.deliveries(.pending).map { ($0.endpoint, $0.lastError ?? "") })
        #expect(errors["slow"]?.contains("no answer within 3 s") == true)
        #expect(errors["gone"]?.lowercased().contains("connect") == true)
    }

    @Test func unknownEndpointsAndEventsTheyCannotTakeAreDeadSayingWhy() throws {
        let remotes = try Remotes(), w = try World()
        try w.enqueue(endpoint: "nowhere", id: 1, event: "slack.ask", payload: ["text": "?"], key: "k-1")
        try w.enqueue(endpoint: "hive", id: 1, event: "slack.ask", payload: ["text": "?"], key: "k-2")
        try w.enqueue(id: 1, event: "slack.ask", payload: ["text": "?"], key: "k-3")  // nobody takes it: done
        let worker = try w.worker("""
            endpoints:
              hive: { type: thehive, url: "\(remotes.base)", api_key: "${secret:hive_key}" }
            """)
        try worker.deliverDue()
        let dead = try w.deliveries(.dead)
        #expect(dead.count == 2)
        #expect(dead.first { $0.endpoint == "nowhere" }?.lastError == "no endpoint named nowhere in the sync config (endpoints: hive)")
        #expect(dead.first { $0.endpoint == "hive" }?.lastError?.contains("cannot deliver slack.ask") == true)
        #expect(try w.admin.store.read { tx in try tx.outboxStatus(3) } == "delivered")
        #expect(try remotes.received().isEmpty)
    }

    @Test func workersSharingTheDatabaseNeverSendTheSameDelivery() throws {
        let remotes = try Remotes(), w = try World()
        for n in 0..<12 {
            let c = try w.ana.openCase(NewCase(title: "case \(n)", team: "soc"))
            try w.ana.addNote(c.id, "first look")
        }
        let yaml = Self.hook(remotes)
        // Three workers, each with its own connection to the file, as three processes would be.
        let workers = try (0..<3).map { _ in
            SyncWorker(store: try Store.open(path: w.dir.file()), config: try w.config(yaml), secrets: w.secrets)
        }
        DispatchQueue.concurrentPerform(iterations: workers.count) { i in
            for _ in 0..<20 { _ = try? workers[i].deliverDue() }
        }
        try w.drain(workers[0])
        let got = try remotes.received()
        let total = try w.admin.store.read { tx in try tx.outboxCount() }
        #expect(got.count == total && Set(got.map(\.key)).count == total)
    }

    @Test func aStartedWorkerDeliversWhatArrivesAndStops() throws {
        let remotes = try Remotes(), w = try World()
        let worker = try w.worker(Self.hook(remotes))
        worker.start(poll: 0.05)
        defer { worker.stop() }
        let c = try w.ana.openCase(NewCase(title: "live", team: "soc"))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try remotes.received().filter(\.ok).count < 2 { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try remotes.received().filter(\.ok).map { $0.body["entity_id"] } == [.int(c.id), .int(c.id)])
    }
}
