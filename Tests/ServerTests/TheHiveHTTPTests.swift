import Foundation
import Testing

/// TheHive-compatible input: tools that send alerts to TheHive 5 (`/api/v1/alert`, observables)
/// or TheHive 4 (`/api/alert`, artifacts) send them to taser unchanged, and get TheHive's answers.
@Suite struct TheHiveHTTPTests {
    static let hiveKey = "hive-key-0123456789abcdef"

    static func start(_ scratch: Scratch) throws -> (ServeProcess, String) {
        let db = scratch.file("t.db")
        let config = try scratch.write("serve.yaml", "thehive:\n  api_keys: [\"${env:HIVE_KEY}\"]\n")
        let server = try ServeProcess(["--db", db, "--config", config], env: ["HIVE_KEY": hiveKey], in: scratch)
        return (server, db)
    }

    static let v5Alert = """
        {"type": "external", "source": "siem", "sourceRef": "case-4711", "title": "Impossible travel for jdoe",
         "description": "Logins from Lisbon and Singapore 20 minutes apart; see http://intranet.example.com/x",
         "severity": 3, "date": 1795900000000, "tags": ["travel", "okta"], "tlp": 2, "pap": 2,
         "observables": [
           {"dataType": "ip", "data": "185.220.101.4", "message": "second login", "tlp": 2, "ioc": true, "tags": ["tor"]},
           {"dataType": "user", "data": "jdoe", "ioc": false},
           {"dataType": "hostname", "data": "WS-JDOE-01"},
           {"dataType": "hash", "data": "44d88612fea8a8f36de82e1278abb02f"},
           {"dataType": "mail_subject", "data": "Your invoice"}
         ]}
        """

    static let v4Alert = """
        {"type": "phishing", "source": "mail-gateway", "sourceRef": "msg-99", "title": "Reported phishing",
         "description": "User reported a message", "severity": 2, "tlp": 1, "tags": [],
         "artifacts": [{"dataType": "mail", "data": "billing@evil-invoices.example", "message": "sender"},
                       {"dataType": "domain", "data": "evil-invoices.example"}]}
        """

    static var auth: [String: String] { ["Authorization": "Bearer \(hiveKey)"] }

    @Test func bothAlertShapesBecomeSignalsWithTheirObservables() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let v5 = try server.post("/api/v1/alert", json: Self.v5Alert, headers: Self.auth)
        #expect(v5.status == 201, "\(v5.text)")
        let id5 = try #require(v5.json["_id"] as? String)
        #expect(id5.hasPrefix("~"))
        #expect(v5.json["_type"] as? String == "Alert")
        #expect(v5.json["sourceRef"] as? String == "case-4711")
        #expect(v5.json["severity"] as? Int == 3 && v5.json["severityLabel"] as? String == "HIGH")
        #expect(v5.json["observableCount"] as? Int == 5)
        #expect(v5.json["status"] as? String == "New")

        let v4 = try server.post("/api/alert", json: Self.v4Alert, headers: Self.auth)
        #expect(v4.status == 201, "\(v4.text)")
        let id4 = try #require(v4.json["_id"] as? String)
        #expect(v4.json["id"] as? String == id4)
        #expect((v4.json["artifacts"] as? [[String: Any]])?.count == 2)
        #expect(server.stop() == 0)

        let signals = jsonLines(try taser(["--db", db, "signals", "--source", "thehive", "--json"]).stdout)
        #expect(signals.count == 2)
        let s5 = try #require(signals.first { "~\($0["id"] as? Int ?? 0)" == id5 })
        #expect(s5["kind"] as? String == "thehive.alert")
        #expect(s5["severity"] as? String == "high")
        #expect(s5["title"] as? String == "Impossible travel for jdoe")
        let fields = s5["fields"] as? [String: Any] ?? [:]
        #expect(fields["thehive.type"] as? String == "external")
        #expect(fields["user.name"] as? String == "jdoe")
        let artifacts = Set((s5["artifacts"] as? [[String: Any]] ?? []).map { "\($0["type"]!):\($0["value"]!)" })
        for expected in ["ip:185.220.101.4", "user:jdoe", "host:ws-jdoe-01", "md5:44d88612fea8a8f36de82e1278abb02f", "other:Your invoice"] {
            #expect(artifacts.contains(expected), "\(artifacts)")
        }
        // The description's URL is found like any free text.
        #expect(artifacts.contains { $0.hasPrefix("url:") })
        let s4 = try #require(signals.first { String($0["id"] as? Int ?? 0) == id4 })
        let artifacts4 = Set((s4["artifacts"] as? [[String: Any]] ?? []).map { "\($0["type"]!):\($0["value"]!)" })
        #expect(artifacts4.contains("email:billing@evil-invoices.example") && artifacts4.contains("domain:evil-invoices.example"))
        // Rules name the kind in the analyst's words.
        let rule = try taser(["--db", db, "rules", "check", "[ (2 TheHive alerts) ] IN [ 1 Hour ] WITH [ username ] IN COMMON"])
        #expect(rule.status == 0, "\(rule.stderr)")
    }

    @Test func theSameTypeSourceAndSourceRefIsAConflictAsInTheHive() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let first = try server.post("/api/v1/alert", json: Self.v5Alert, headers: Self.auth)
        #expect(first.status == 201)
        // Re-sent through the other API version, with another title: still the same alert.
        let again = try server.post("/api/alert", json: Self.v5Alert.replacingOccurrences(of: "Impossible travel", with: "Travel"), headers: Self.auth)
        #expect(again.status == 400)
        #expect(again.json["type"] as? String == "ConflictError")
        #expect((again.json["object"] as? [String: Any])?["_id"] as? String == String((first.json["_id"] as? String ?? "").dropFirst()))
        // Another type with the same source and sourceRef is another alert.
        let otherType = try server.post("/api/v1/alert", json: Self.v5Alert.replacingOccurrences(of: "\"external\"", with: "\"internal\""), headers: Self.auth)
        #expect(otherType.status == 201)
        #expect(server.stop() == 0)
        #expect(jsonLines(try taser(["--db", db, "signals", "--json"]).stdout).count == 2)
        // Each is an alert in the queue at once (they were alerts where they came from); the
        // conflict made none.
        let alerts = jsonLines(try taser(["--db", db, "alert", "list", "--json"]).stdout)
        #expect(alerts.count == 2 && alerts.allSatisfy { $0["rule"] as? String == "thehive" && $0["severity"] as? String == "high" }, "\(alerts)")
        #expect(alerts.contains { $0["title"] as? String == "Impossible travel for jdoe" })
    }

    @Test func errorsComeInTheHivesShape() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let noKey = try server.post("/api/v1/alert", json: Self.v5Alert)
        #expect(noKey.status == 401)
        #expect(noKey.json["type"] as? String == "AuthenticationError")
        let wrongKey = try server.post("/api/alert", json: Self.v4Alert, headers: ["Authorization": "Bearer nope-nope-nope-nope"])
        #expect(wrongKey.status == 401)
        #expect(wrongKey.json["type"] as? String == "AuthenticationError")

        let noTitle = try server.post("/api/v1/alert", json: #"{"type": "external", "source": "siem", "sourceRef": "x1", "description": "d"}"#, headers: Self.auth)
        #expect(noTitle.status == 400)
        #expect(noTitle.json["type"] as? String == "AttributeCheckError")
        #expect((noTitle.json["message"] as? String ?? "").contains("title"))
        let badSeverity = try server.post(
            "/api/v1/alert", json: #"{"type": "e", "source": "s", "sourceRef": "x2", "title": "t", "description": "d", "severity": 9}"#, headers: Self.auth)
        #expect(badSeverity.status == 400)
        #expect((badSeverity.json["message"] as? String ?? "").contains("severity"))
        let notJSON = try server.post("/api/v1/alert", json: "{\"type\": ", headers: Self.auth)
        #expect(notJSON.status == 400)
        #expect(notJSON.json["type"] as? String == "BadRequest")
        #expect(server.stop() == 0)
        #expect(jsonLines(try taser(["--db", db, "signals", "--json"]).stdout).isEmpty)
        // What was refused after the key was checked is kept, with TheHive's reason.
        let held = jsonLines(try taser(["--db", db, "quarantine", "list", "--json"]).stdout)
        #expect(held.count == 3)
        #expect(held.allSatisfy { $0["source"] as? String == "thehive" })
    }
}
