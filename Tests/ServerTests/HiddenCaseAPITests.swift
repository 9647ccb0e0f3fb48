import Foundation
import Testing

/// The API leaks no more than the CLI of a case the key's analyst may not read: on the demo,
/// maya.ortiz (soc and ir) promotes an alert of team soc into an ir case and adds a domain to it
/// by hand; ana.silva (soc) sees the alert in `/api/alerts` and `/api/alerts/{id}` with no case,
/// and `/api/artifacts?search=` does not find the domain.
@Suite struct HiddenCaseAPITests {
    static let anaKey = "ana-silva-key-0123456789ab"
    static let mayaKey = "maya-ortiz-key-ba9876543210"

    @Test func theAlertsAndArtifactsOfTheAPINameNoCaseTheKeyMayNotRead() throws {
        let scratch = Scratch()
        let db = scratch.file("demo.db")
        let demo = try taser(["demo", "--db", db, "--signals", "5000", "--end", "2026-11-01"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let listed = try taser(["--db", db, "--as", "ana.silva", "alert", "list", "--status", "new", "--limit", "100000", "--json"])
        let candidate = jsonLines(listed.stdout).first { $0["team"] as? String == "soc" }
        let alert = try #require(candidate?["id"] as? Int, "no new soc alert in the demo")
        let opened = try taser(["--db", db, "--as", "maya.ortiz", "case", "new", "--alert", String(alert), "--team", "ir", "--json"])
        let hidden = try #require(jsonLines(opened.stdout).first?["id"] as? Int, "\(opened.stderr)")
        let domain = "api-leak-check-\(UUID().uuidString.prefix(8).lowercased()).example"
        try #require(try taser(["--db", db, "--as", "maya.ortiz", "case", "add-artifact", String(hidden), "domain", domain]).status == 0)
        let config = try scratch.write("serve.yaml", """
            api_keys:
              - { key: "${env:ANA_KEY}", analyst: ana.silva }
              - { key: "${env:MAYA_KEY}", analyst: maya.ortiz }
            """)
        let server = try ServeProcess(["--db", db, "--config", config], env: ["ANA_KEY": Self.anaKey, "MAYA_KEY": Self.mayaKey], in: scratch)

        // /api/alerts: the alert is listed, promoted, with no case; no alert names the ir case.
        let alerts = try server.get("/api/alerts?limit=100000", key: Self.anaKey)
        #expect(alerts.status == 200)
        let items = alerts.json["alerts"] as? [[String: Any]] ?? []
        let mine = try #require(items.first { $0["id"] as? Int == alert })
        #expect(mine["status"] as? String == "promoted" && mine["case"] is NSNull)
        #expect(!items.contains { $0["case"] as? Int == hidden })
        // /api/alerts/{id}: the same.
        let one = try server.get("/api/alerts/\(alert)", key: Self.anaKey)
        #expect(one.status == 200 && one.json["case"] is NSNull && one.json["status"] as? String == "promoted", "\(one.text)")
        // The case itself: a 404 as for a case that does not exist.
        #expect(try server.get("/api/cases/\(hidden)", key: Self.anaKey).status == 404)
        // /api/artifacts?search=: the domain only the ir case holds is not there for her.
        let search = try server.get("/api/artifacts?search=\(domain)", key: Self.anaKey)
        #expect(search.status == 200 && (search.json["artifacts"] as? [Any])?.isEmpty == true, "\(search.text)")

        // Maya, who may read the case, gets it named and finds the domain.
        #expect(try server.get("/api/alerts/\(alert)", key: Self.mayaKey).json["case"] as? Int == hidden)
        let hers = try server.get("/api/artifacts?search=\(domain)", key: Self.mayaKey).json["artifacts"] as? [[String: Any]] ?? []
        #expect(hers.map { $0["value"] as? String } == [domain])
        #expect(server.stop() == 0)
    }
}
