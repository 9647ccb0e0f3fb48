import Foundation
import Testing

/// TheHive's alert API read and written by tools that speak it, against the real `taser serve`:
/// what `POST /api/v1/alert` creates reads back by its `_id`; queries, updates, observables,
/// cases and promotion; and every refusal in TheHive's error shape.
@Suite struct TheHiveAPITests {
    static let hiveKey = "hive-key-0123456789abcdef"
    static let anaKey = "ana-key-0123456789abcdef"

    /// A database with team soc (ana, whose key the server knows beside a TheHive key).
    static func start(_ scratch: Scratch) throws -> (ServeProcess, String) {
        let db = scratch.file("t.db")
        for args in [["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"]] {
            let r = try taser(["--db", db] + args)
            try #require(r.status == 0, "taser \(args.joined(separator: " ")): \(r.stderr)")
        }
        let config = try scratch.write("serve.yaml", """
            max_body: 256KiB
            api_keys:
              - { key: "${env:ANA_KEY}", analyst: ana }
            thehive:
              api_keys: ["${env:HIVE_KEY}"]
            """)
        let server = try ServeProcess(["--db", db, "--config", config], env: ["HIVE_KEY": hiveKey, "ANA_KEY": anaKey], in: scratch)
        return (server, db)
    }

    static var hive: [String: String] { ["Authorization": "Bearer \(hiveKey)"] }
    static var ana: [String: String] { ["Authorization": "Bearer \(anaKey)"] }

    static func alert(_ ref: String, title: String = "Impossible travel for jdoe", severity: Int = 2, tags: String = #"["travel"]"#) -> String {
        """
        {"type": "external", "source": "siem", "sourceRef": "\(ref)", "title": "\(title)", "description": "Logins 20 minutes apart",
         "severity": \(severity), "tags": \(tags), "observables": [{"dataType": "ip", "data": "185.220.101.4"}]}
        """
    }

    static func patch(_ server: ServeProcess, _ path: String, _ json: String, headers: [String: String] = hive) throws -> HTTPAnswer {
        try server.request("PATCH", path, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, body: Array(json.utf8))
    }

    static func query(_ server: ServeProcess, _ json: String, headers: [String: String] = hive) throws -> (status: Int, value: Any?, text: String) {
        let r = try server.post("/api/v1/query", json: json, headers: headers)
        return (r.status, try? JSONSerialization.jsonObject(with: Data(r.body), options: [.fragmentsAllowed]), r.text)
    }

    @Test func anAlertCreatedThroughTheHivesAPIReadsBackByItsID() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let created = try server.post("/api/v1/alert", json: Self.alert("ref-1"), headers: Self.hive)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["_id"] as? String)
        let got = try server.request("GET", "/api/v1/alert/\(id)", headers: Self.hive)
        #expect(got.status == 200, "\(got.text)")
        #expect(got.json["_id"] as? String == id && got.json["_type"] as? String == "Alert")
        #expect(got.json["title"] as? String == "Impossible travel for jdoe")
        #expect(got.json["type"] as? String == "external" && got.json["source"] as? String == "siem" && got.json["sourceRef"] as? String == "ref-1")
        #expect(got.json["description"] as? String == "Logins 20 minutes apart")
        #expect(got.json["severity"] as? Int == 2 && got.json["severityLabel"] as? String == "MEDIUM")
        #expect(got.json["tags"] as? [String] == ["travel"])
        #expect(got.json["status"] as? String == "New" && got.json["stage"] as? String == "New")
        #expect(got.json["observableCount"] as? Int == 1)
        // TheHive 4's plain number is the same alert; an analyst's key sees it too (it has no team).
        let plain = try server.request("GET", "/api/v1/alert/\(id.dropFirst())", headers: Self.ana)
        #expect(plain.status == 200 && plain.json["_id"] as? String == id)
        // The id is the alert's, as taser's CLI shows it.
        #expect(server.stop() == 0)
        let alerts = jsonLines(try taser(["--db", db, "alert", "list", "--json"]).stdout)
        #expect(alerts.map { "~\($0["id"] as? Int ?? 0)" } == [id])
    }

    @Test func queriesUpdatesObservablesCasesAndPromotion() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        var ids: [String] = []
        for (ref, title, severity, tags) in [
            ("q-1", "Impossible travel", 2, #"["travel"]"#), ("q-2", "Phishing reported", 3, #"["phishing", "mail"]"#),
            ("q-3", "Noisy scanner", 1, #"["noise"]"#),
        ] {
            let r = try server.post("/api/v1/alert", json: Self.alert(ref, title: title, severity: severity, tags: tags), headers: Self.hive)
            try #require(r.status == 201, "\(r.text)")
            ids.append(try #require(r.json["_id"] as? String))
        }
        func found(_ filter: String, sort: String = #"{"_name": "sort", "_fields": [{"_id": "asc"}]}"#) throws -> [String] {
            let r = try Self.query(server, #"{"query": [{"_name": "listAlert"}, {"_name": "filter", \#(filter)}, \#(sort)]}"#)
            #expect(r.status == 200, "\(r.text)")
            return (r.value as? [[String: Any]] ?? []).compactMap { $0["_id"] as? String }
        }
        #expect(try found(#""_eq": {"_field": "severity", "_value": 3}"#) == [ids[1]])
        #expect(try found(#""_in": {"_field": "tags", "_values": ["travel", "noise"]}"#) == [ids[0], ids[2]])
        #expect(try found(#""_like": {"_field": "title", "_value": "phish"}"#) == [ids[1]])
        #expect(try found(#""_like": {"_field": "title", "_value": "*travel"}"#) == [ids[0]])
        #expect(try found(#""_and": [{"_gte": {"_field": "severity", "_value": 2}}, {"_eq": {"_field": "sourceRef", "_value": "q-1"}}]"#) == [ids[0]])
        #expect(try found(#""_or": [{"_lte": {"_field": "severity", "_value": 1}}, {"_eq": {"_field": "tags", "_value": "mail"}}]"#) == [ids[1], ids[2]])
        let page = try Self.query(server, #"""
            {"query": [{"_name": "listAlert"}, {"_name": "sort", "_fields": [{"severity": "desc"}]}, {"_name": "page", "from": 0, "to": 2, "extraData": []}]}
            """#)
        #expect((page.value as? [[String: Any]])?.compactMap { $0["_id"] as? String } == [ids[1], ids[0]], "\(page.text)")
        let count = try Self.query(server, #"{"query": [{"_name": "listAlert"}, {"_name": "filter", "_gte": {"_field": "severity", "_value": 2}}, {"_name": "count"}]}"#)
        #expect(count.status == 200 && count.value as? Int == 2, "\(count.text)")

        // Update: tags, severity, status through the alert workflow.
        #expect(try Self.patch(server, "/api/v1/alert/\(ids[0])", #"{"tags": ["travel", "vip"], "severity": 4}"#).status == 204)
        #expect(try Self.patch(server, "/api/v1/alert/\(ids[0])", #"{"addTags": ["escalated"], "removeTags": ["travel"]}"#).status == 204)
        #expect(try Self.patch(server, "/api/v1/alert/\(ids[2])", #"{"status": "FalsePositive"}"#).status == 204)
        let a = try server.request("GET", "/api/v1/alert/\(ids[0])", headers: Self.hive)
        #expect(a.json["tags"] as? [String] == ["vip", "escalated"] && a.json["severity"] as? Int == 4, "\(a.text)")
        #expect(a.json["_updatedBy"] as? String == "thehive-api")
        let closed = try server.request("GET", "/api/v1/alert/\(ids[2])", headers: Self.hive)
        #expect(closed.json["status"] as? String == "FalsePositive" && closed.json["stage"] as? String == "Closed")

        // Observables: one value or several; the alert counts them.
        let obs = try server.post("/api/v1/alert/\(ids[0])/observable", json: #"{"dataType": "domain", "data": ["evil.example", "evil2.example"], "ioc": true}"#, headers: Self.hive)
        #expect(obs.status == 201, "\(obs.text)")
        let list = (try? JSONSerialization.jsonObject(with: Data(obs.body))) as? [[String: Any]] ?? []
        #expect(list.count == 2 && list.allSatisfy { $0["dataType"] as? String == "domain" && ($0["_id"] as? String)?.hasPrefix("~") == true })
        #expect(try server.request("GET", "/api/v1/alert/\(ids[0])", headers: Self.hive).json["observableCount"] as? Int == 3)

        // A case, and an alert promoted to one (as ana: her team's case).
        let c = try server.post("/api/v1/case", json: #"{"title": "Phishing wave", "description": "Three reports", "severity": 3, "tags": ["phishing"]}"#, headers: Self.ana)
        #expect(c.status == 201, "\(c.text)")
        #expect(c.json["_type"] as? String == "Case" && c.json["title"] as? String == "Phishing wave" && c.json["status"] as? String == "New")
        let promoted = try server.post("/api/v1/alert/\(ids[1])/case", json: #"{"tags": ["from-alert"]}"#, headers: Self.ana)
        #expect(promoted.status == 201, "\(promoted.text)")
        let caseID = try #require(promoted.json["_id"] as? String)
        #expect(promoted.json["title"] as? String == "Phishing reported" && promoted.json["severity"] as? Int == 3)
        let b = try server.request("GET", "/api/v1/alert/\(ids[1])", headers: Self.ana)
        #expect(b.json["status"] as? String == "Imported" && b.json["caseId"] as? String == caseID)
        #expect(try server.request("GET", "/api/v1/case/\(caseID)", headers: Self.ana).status == 200)
        // The TheHive key is in no team: ana's case is not there for it, as a missing one is not.
        let hidden = try server.request("GET", "/api/v1/case/\(caseID)", headers: Self.hive)
        #expect(hidden.status == 404 && hidden.json["type"] as? String == "NotFound")
        #expect(try server.request("GET", "/api/v1/alert/\(ids[1])", headers: Self.hive).json["caseId"] == nil)
        // An alert in a case changes with its case.
        let refused = try Self.patch(server, "/api/v1/alert/\(ids[1])", #"{"status": "New"}"#, headers: Self.ana)
        #expect(refused.status == 400 && refused.json["type"] as? String == "BadRequest", "\(refused.text)")
        #expect(server.stop() == 0)

        // The same changes on taser's side, with who made them.
        let shown = try taser(["--db", db, "alert", "show", String(ids[0].dropFirst()), "--json"])
        let detail = (try? JSONSerialization.jsonObject(with: Data(shown.stdout.utf8))) as? [String: Any] ?? [:]
        #expect(detail["tags"] as? [String] == ["vip", "escalated"] && detail["severity"] as? String == "critical", "\(shown.stdout.prefix(400))")
        let log = detail["log"] as? [[String: Any]] ?? []
        #expect(log.count == 5 && log.allSatisfy { $0["author"] as? String == "thehive-api" }, "\(log)")
        #expect((detail["added_artifacts"] as? [[String: Any]])?.count == 2)
        let cases = jsonLines(try taser(["--db", db, "--as", "ana", "case", "list", "--json"]).stdout)
        #expect(Set(cases.compactMap { $0["title"] as? String }) == ["Phishing wave", "Phishing reported"])
    }

    @Test func whatTaserDoesNotAnswerIsTheHivesErrorShape() throws {
        let scratch = Scratch()
        let (server, _) = try Self.start(scratch)
        let created = try server.post("/api/v1/alert", json: Self.alert("bad-1"), headers: Self.hive)
        let id = try #require(created.json["_id"] as? String)
        func refused(_ r: HTTPAnswer, _ status: Int, _ type: String, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
            #expect(r.json["type"] as? String == type, "\(r.text)", sourceLocation: sourceLocation)
            #expect((r.json["message"] as? String ?? "").contains(words), "\(r.text)", sourceLocation: sourceLocation)
        }
        func q(_ body: String) throws -> HTTPAnswer { try server.post("/api/v1/query", json: body, headers: Self.hive) }
        refused(try q(#"{"query": [{"_name": "listAlert"}, {"_name": "filter", "_match": {"_field": "title", "_value": "x"}}]}"#), 400, "BadRequest", "_match")
        refused(try q(#"{"query": [{"_name": "listCase"}]}"#), 400, "BadRequest", "listAlert")
        refused(try q(#"{"query": [{"_name": "listAlert"}, {"_name": "page", "from": 0, "to": 1000000}]}"#), 400, "BadRequest", "at most 1000")
        refused(try q(#"{"query": [{"_name": "listAlert"}, {"_name": "page", "from": -5, "to": 1}]}"#), 400, "BadRequest", "page")
        refused(try q(#"{"query": [{"_name": "listAlert"}, {"_name": "filter", "_eq": {"_field": "nonsense", "_value": 1}}]}"#), 400, "BadRequest", "nonsense")
        refused(try q(#"{"query": [{"_name": "listAlert"}, {"_name": "count"}, {"_name": "page", "from": 0, "to": 1}]}"#), 400, "BadRequest", "last")
        refused(try q(#"{"query": [{"_name": "listAlert"}, {"_name": "filter"#), 400, "BadRequest", "Invalid Json")
        refused(try q(#"[1, 2]"#), 400, "BadRequest", "query")
        let deep = String(repeating: #"{"_not": "#, count: 40) + "{}" + String(repeating: "}", count: 40)
        refused(try q(#"{"query": [{"_name": "listAlert"}, {"_name": "filter", "_and": [\#(deep)]}]}"#), 400, "BadRequest", "nests")
        let many = (0..<1001).map { #"{"_eq": {"_field": "severity", "_value": \#($0)}}"# }.joined(separator: ",")
        refused(try q(#"{"query": [{"_name": "listAlert"}, {"_name": "filter", "_or": [\#(many)]}]}"#), 400, "BadRequest", "at most")
        let huge = #"{"query": [{"_name": "listAlert"}], "pad": ""# + String(repeating: "x", count: 100_000) + #""}"#
        refused(try q(huge), 413, "RequestEntityTooLarge", "bytes")

        refused(try Self.patch(server, "/api/v1/alert/\(id)", #"{"title": "renamed"}"#), 400, "AttributeCheckError", "title")
        refused(try Self.patch(server, "/api/v1/alert/\(id)", #"{"severity": 9}"#), 400, "AttributeCheckError", "severity")
        refused(try Self.patch(server, "/api/v1/alert/\(id)", #"{"status": "Imported"}"#), 400, "AttributeCheckError", "promot")
        refused(try Self.patch(server, "/api/v1/alert/\(id)", #"{"status": "TruePositive""#), 400, "BadRequest", "Invalid Json")
        refused(try server.post("/api/v1/alert/\(id)/observable", json: #"{"dataType": "file", "attachment": "x"}"#, headers: Self.hive), 400, "AttributeCheckError", "file")
        refused(try server.post("/api/v1/case", json: #"{"title": "no description"}"#, headers: Self.hive), 400, "AttributeCheckError", "description")
        refused(try server.post("/api/v1/case", json: #"{"title": "t", "description": "d", "caseTemplate": "x"}"#, headers: Self.hive), 400, "AttributeCheckError", "caseTemplate")
        refused(try server.request("GET", "/api/v1/alert/~999999", headers: Self.hive), 404, "NotFound", "999999")
        refused(try server.request("GET", "/api/v1/alert/nope", headers: Self.hive), 404, "NotFound", "nope")
        refused(try server.request("GET", "/api/v1/alert/\(id)"), 401, "AuthenticationError", "Authentication")
        refused(try server.request("DELETE", "/api/v1/alert/\(id)", headers: Self.hive), 404, "NotFound", "DELETE")
        refused(try server.request("GET", "/api/v1/case/~1/observables", headers: Self.hive), 404, "NotFound", "does not implement")
        // Still alive and still answering.
        #expect(try server.request("GET", "/api/v1/alert/\(id)", headers: Self.hive).status == 200)
        #expect(server.stop() == 0)
    }
}
