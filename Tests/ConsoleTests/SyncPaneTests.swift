import Credentials
import Foundation
import Model
import Sync
import StandIn
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// The Sync pane without a terminal: keys in (through Keymaps/default.yaml), the grid out, on a
/// real database whose outbox the real worker delivered to a stand-in server on 127.0.0.1 (200
/// on /ok, 400 on /bad) and to a port that refuses connections.
@Suite(.serialized) struct SyncPaneTests: ConsoleDriving {
    var screenWidth: Int { 160 }

    /// Answers POST /ok with 200 and POST /bad with 400 (its body echoing a secret, which Sync
    /// must take out); also holds a second port bound but never listening, so connections to it
    /// are refused. Prints both ports; exits when its stdin closes.
    static let script = #"""
        import http.server, socket, sys, threading
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                bad = self.path.startswith("/bad")
                body = b'{"error": "rejected, key hook-s3cret-9"}' if bad else b'{}'
                self.send_response(400 if bad else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        refusing = socket.socket()
        refusing.bind(("127.0.0.1", 0))
        print(server.server_address[1], refusing.getsockname()[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
        """#

    final class Remote {
        private let server: StandIn
        let port: Int
        let refusing: Int

        init() throws {
            server = try StandIn(python: ["-c", SyncPaneTests.script])
            try #require(server.ports.count == 2, "the stand-in server did not start")
            port = server.ports[0]
            refusing = server.ports[1]
        }
    }

    /// Team soc (ana) and team ir (ben); ana's case and alert, ben's case; the outbox delivered
    /// once: `ok` takes everything, `bad` the case messages (dead at once), `down` the
    /// case.created ones (refused, next attempt in ten minutes).
    final class World {
        let dir = NSTemporaryDirectory() + "taser-sync-pane-\(UUID().uuidString)"
        let admin: Engine
        let ana: Engine
        let anasCase: Case
        let bensCase: Case
        let alert: Alert
        let remote: Remote

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            remote = try Remote()
            admin = Engine(store: try Store.open(path: dir + "/taser.db"), actor: Actor(name: "root", isAdmin: true))
            try admin.addTeam("soc")
            try admin.addTeam("ir")
            try admin.addAnalyst(Analyst(name: "ana", teams: ["soc"]))
            try admin.addAnalyst(Analyst(name: "ben", teams: ["ir"]))
            ana = admin.acting(as: Actor(name: "ana", isAdmin: false))
            let ben = admin.acting(as: Actor(name: "ben", isAdmin: false))
            anasCase = try ana.openCase(NewCase(title: "Phish at ana's desk", team: "soc"))
            bensCase = try ben.openCase(NewCase(title: "IR only", team: "ir"))
            let signal = NewSignal(
                time: Timestamp(ms: 1_700_000_000_000), source: "okta", sourceRef: "s1", kind: SignalKind.oktaNewLocation.name,
                severity: .medium, title: "login from a new place", fields: ["user.name": .string("jdoe")], raw: "{}",
                artifacts: [ArtifactMention(.user, "jdoe", role: "user")])
            let ids = try SignalWriter(store: admin.store).write([signal]).ids.compactMap { $0 }
            alert = try admin.raiseAlert(NewAlert(
                rule: "new-location", groupKey: "user.name=jdoe", severity: .high, title: "New location for jdoe", team: "soc", signalIDs: ids))
            let secrets = Secrets(values: ["hook_key": "hook-s3cret-9"], environment: [:])
            let yaml = """
                defaults: { timeout: 30s }
                endpoints:
                  ok:   { type: webhook, url: "http://127.0.0.1:\(remote.port)/ok", hmac_secret: "${secret:hook_key}" }
                  bad:  { type: webhook, url: "http://127.0.0.1:\(remote.port)/bad", hmac_secret: "${secret:hook_key}", events: [case.*] }
                  down: { type: webhook, url: "http://127.0.0.1:\(remote.refusing)/", hmac_secret: "${secret:hook_key}", events: [case.created],
                          backoff: 10m, max_backoff: 10m }
                """
            let config = try SyncConfig.parse(yaml: yaml, file: "sync.yaml", secrets: secrets)
            try admin.syncWorker(config: config, secrets: secrets).deliverDue()
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func app() throws -> App { try App(engine: ana, bindings: try Keymap.load(named: "default")) }

        /// The deliveries ana may know of: those of her case and her team's alert, not ben's case's.
        func deliveries(_ status: DeliveryStatus) throws -> [DeliveryRecord] {
            try admin.store.read { tx in try tx.deliveries(status: status, visibleTo: ana.actor) }
        }

        /// Every delivery, as the admin sees them.
        func allDeliveries(_ status: DeliveryStatus) throws -> [DeliveryRecord] {
            try admin.store.read { tx in try tx.deliveries(status: status, visibleTo: admin.actor) }
        }
    }

    /// The screen row that shows delivery `id` (its ID is the row's first word).
    func row(of id: Int64, _ g: Grid) -> String? {
        (0..<g.height).map(g.row).first { $0.split(separator: " ").first == Substring(String(id)) }
    }

    @Test func fiveOpensThePaneWithCountsPerEndpointAndTheDeadAndRetryingDeliveries() throws {
        let w = try World()
        // What the worker did, as ana's pane should show it: her case's and her alert's
        // deliveries, not those of ben's case, which she may not read.
        let status = try w.ana.syncStatus()
        let tally = Dictionary(uniqueKeysWithValues: status.endpoints.map { ($0.endpoint, $0) })
        let ok = try #require(tally["ok"]), bad = try #require(tally["bad"]), down = try #require(tally["down"])
        #expect(ok.delivered > 0 && ok.pending == 0 && ok.dead == 0)
        #expect(bad.dead > 0 && bad.delivered == 0 && bad.pending == 0)
        #expect(down.retrying == 1 && down.pending == 1 && down.dead == 0)
        let everything = Dictionary(uniqueKeysWithValues: try w.admin.syncStatus().endpoints.map { ($0.endpoint, $0) })
        #expect(everything["down"]?.pending == 2 && everything["bad"].map { $0.dead > bad.dead } == true)
        #expect(status.dead.allSatisfy { $0.entityID != w.bensCase.id || $0.entityType != "case" })

        let app = try w.app()
        // The queue warns of the dead letters before the pane is opened.
        var g = screen(app)
        #expect(g.row(38).hasSuffix(" sync: \(bad.dead) dead "), "\(g.row(38))")
        #expect(g.role(of: "sync: \(bad.dead) dead") == .error)

        press(app, "5")
        g = screen(app)
        #expect(g.row(0).contains("Queue › Sync"))
        #expect(g.row(1).contains("ENDPOINT") && g.row(1).contains("PENDING") && g.row(1).contains("RETRYING")
            && g.row(1).contains("DELIVERED") && g.row(1).contains("DEAD"))
        func numbers(_ name: String) -> [Int] {
            let line = (2..<6).map(g.row).first { $0.split(separator: " ").first == Substring(name) } ?? ""
            return line.split(separator: " ").dropFirst().compactMap { Int($0) }
        }
        #expect(numbers("ok") == [ok.pending, ok.retrying, ok.delivered, ok.dead])
        #expect(numbers("bad") == [0, 0, 0, bad.dead])
        #expect(numbers("down") == [1, 1, 0, 0])

        // The dead letters, then those waiting for a retry, each with its entity, event and error.
        #expect(g.text.contains("Dead letters (\(bad.dead))") && g.text.contains("Waiting for a retry (1)"))
        #expect(!g.row(38).contains("sync: "))  // the pane itself lists them
        let dead = try w.deliveries(.dead)
        #expect(dead.count == bad.dead)
        for d in dead {
            let line = try #require(row(of: d.id, g), "no row for dead delivery \(d.id)")
            #expect(line.contains("bad") && line.contains("case \(d.entityID)") && line.contains(d.event) && line.contains("HTTP 400"), "\(line)")
        }
        #expect(!g.text.contains("hook-s3cret-9"))
        let retrying = try w.deliveries(.pending)
        #expect(retrying.count == 1)
        for d in retrying {
            let line = try #require(row(of: d.id, g), "no row for retrying delivery \(d.id)")
            #expect(line.contains("down") && line.contains("case.created") && line.contains(Output.short(d.nextAttemptAt)), "\(line)")
        }
        // The cursor starts on the first dead letter and moves over the retrying ones too.
        #expect(g.role(of: row(of: dead[0].id, g)!.prefix(12).description) == .selected)
        press(app, "G")
        g = screen(app)
        #expect(g.role(of: row(of: retrying[retrying.count - 1].id, g)!.prefix(12).description) == .selected)
        #expect(g.row(39).contains("r retry") && g.row(39).contains("R retry-all"))
    }

    @Test func longErrorsEndInAnEllipsisAndASmallScreenDoesNotCrash() throws {
        let w = try World()
        let app = try w.app()
        press(app, "5")
        let g = screen(app, width: 90, height: 20)
        let d = try #require(try w.deliveries(.dead).first)
        let line = try #require(row(of: d.id, g))
        #expect(line.trimmingCharacters(in: .whitespaces).hasSuffix("…") && CellWidth.of(line) == 90, "\(line)")
        _ = screen(app, width: 30, height: 6)
        press(app, "j", "ctrl-d", "G", "g", "k")
        _ = screen(app, width: 12, height: 3)
    }

    @Test func rRetriesTheDeadLetterUnderTheCursor() throws {
        let w = try World()
        let app = try w.app()
        let before = try w.deliveries(.dead)
        press(app, "5", "j")
        let target = before[1]
        press(app, "r")
        #expect(try w.deliveries(.dead).map(\.id) == before.map(\.id).filter { $0 != target.id })
        let again = try #require(try w.deliveries(.pending).first { $0.id == target.id })
        #expect(again.attempts == 0)
        let g = screen(app)
        #expect(g.row(38).contains("retried 1 delivery; `taser sync run` or `taser serve` delivers it"), "\(g.row(38))")
        #expect(g.text.contains("Dead letters (\(before.count - 1))"))
        // On a retrying delivery r says why not, and changes nothing.
        press(app, "G", "r")
        #expect(screen(app).row(38).contains("is not dead"))
        #expect(try w.deliveries(.dead).count == before.count - 1)
        // Back on the queue, the warning counts one fewer.
        press(app, "1")
        #expect(screen(app).row(38).hasSuffix(" sync: \(before.count - 1) dead "))
    }

    @Test func slashFiltersTheDeliveriesAndRetryActsOnTheOneShown() throws {
        let w = try World()
        let app = try w.app()
        let dead = try w.deliveries(.dead)
        try #require(dead.count >= 2)
        let typed = "\(dead[1].id) \(dead[1].endpoint)"
        // The first dead letter holding both words is the one the cursor lands on.
        let target = try #require(dead.first { d in
            let text = "\(d.id) \(d.endpoint) \(d.entityType) \(d.entityID) \(d.event) \(d.lastError ?? "")".lowercased()
            return typed.lowercased().split(separator: " ").allSatisfy { text.contains($0) }
        })
        press(app, "5", "/")
        for c in typed { _ = app.handle(.char(c)) }
        var g = screen(app)
        #expect(g.row(39).hasPrefix("/" + typed), "\(g.row(39))")
        #expect(g.text.contains("match '\(typed)'"), "\(g.text)")
        press(app, "enter", "r")
        #expect(try w.deliveries(.dead).map(\.id) == dead.map(\.id).filter { $0 != target.id })
        press(app, "/", "esc")
        g = screen(app)
        #expect(!g.text.contains("match '"))
    }

    @Test func capitalRAsksFirstThenRetriesEveryDeadLetter() throws {
        let w = try World()
        let app = try w.app()
        let dead = try w.deliveries(.dead)
        press(app, "5", "R")
        #expect(screen(app).text.contains("Retry all \(dead.count) dead deliveries? (y/n)"))
        press(app, "n")
        #expect(screen(app).row(38).contains("cancelled"))
        #expect(try w.deliveries(.dead).count == dead.count)
        press(app, "R", "y")
        #expect(try w.deliveries(.dead).isEmpty)
        // Hers only: ben's case's dead letters wait for someone who may read it.
        let bens = try w.allDeliveries(.dead).filter { $0.entityType == "case" && $0.entityID == w.bensCase.id }
        #expect(!bens.isEmpty)
        let g = screen(app)
        #expect(g.row(38).contains("retried \(dead.count) deliveries; `taser sync run` or `taser serve` delivers them"))
        #expect(g.text.contains("No dead letters"))
        press(app, "1")
        #expect(!screen(app).row(38).contains("sync:"))
    }

    @Test func enterOpensTheCaseOrAlertTheAnalystMayRead() throws {
        let w = try World()
        let app = try w.app()
        press(app, "5")
        let dead = try w.deliveries(.dead)
        // Ana's case: opened, and Esc comes back to the pane.
        let mine = try #require(dead.firstIndex { $0.entityID == w.anasCase.id })
        for _ in 0..<mine { press(app, "j") }
        press(app, "enter")
        var g = screen(app)
        #expect(g.row(0).contains("Queue › Sync › Case \(w.anasCase.id)") && g.text.contains("Phish at ana's desk"))
        press(app, "esc")
        #expect(screen(app).row(0).hasPrefix(" Queue › Sync "))
        // Ben's case is not hers to read: like a case that does not exist, it sent nothing she
        // can see (the admin sees its dead letters), and its number is nowhere on her screen.
        #expect(!dead.contains { $0.entityType == "case" && $0.entityID == w.bensCase.id })
        #expect(try w.allDeliveries(.dead).contains { $0.entityType == "case" && $0.entityID == w.bensCase.id })
        g = screen(app)
        #expect(!g.text.contains("case \(w.bensCase.id) ") && !g.text.contains("IR only"))
        // Asking to retry one of them by its id is answered as for a delivery that does not exist.
        let hidden = try #require(try w.allDeliveries(.dead).first { $0.entityType == "case" && $0.entityID == w.bensCase.id })
        #expect(throws: EngineError.invalid("no dead delivery \(hidden.id); `taser sync status` lists the dead ones with their IDs")) {
            try w.ana.retryDeliveries([hidden.id])
        }
        #expect(try w.allDeliveries(.dead).contains { $0.id == hidden.id })
    }

    @Test func thePaneFollowsChangesFromOtherProcessesAndTheCommandLineOpensIt() throws {
        let w = try World()
        let app = try w.app()
        _ = app.handle(Key(":"))
        for c in "sync" { _ = app.handle(.char(c)) }
        press(app, "enter")
        var g = screen(app)
        #expect(g.row(0).contains("Queue › Sync") && g.text.contains("Dead letters ("))
        // Another process (here another engine on the file) retries them all; the next tick shows it.
        let other = try Engine.open(path: w.dir + "/taser.db")
        let n = try other.retryAllDeadDeliveries()
        #expect(n > 0)
        let deadline = Date().addingTimeInterval(60)
        while !screen(app).text.contains("No dead letters") && Date() < deadline {
            _ = app.tick()
            usleep(20_000)
        }
        g = screen(app)
        #expect(g.text.contains("No dead letters"))
        #expect(app.deadLetters == 0)
    }
}
