import Foundation
import Testing

/// `taser query` as analysts run it: the ACL, the audit, and secrets kept out of everything.
@Suite struct QueryCLITests {
    @Test func askDenyAndAuditWithoutLeakingSecrets() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)  // ana in soc, dana in ir
        try "login,manager_login\njdoe,mboss\n".write(toFile: dir.file("hr.csv"), atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho \"key $1 refused\" >&2\nexit 3\n".write(toFile: dir.file("fail.sh"), atomically: true, encoding: .utf8)
        chmod(dir.file("fail.sh"), 0o755)
        try """
            plugins:
              - { name: hr, type: table, file: hr.csv, queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } } } }
              - { name: broken, type: command, command: [fail.sh, "${secret:api_key}"], queries: [USER_MANAGER] }
            acl:
              "*": [soc]
            """.write(toFile: dir.file("positron.yaml"), atomically: true, encoding: .utf8)
        try "api_key: SUPERSECRET123\n".write(toFile: dir.file("secrets.yaml"), atomically: true, encoding: .utf8)
        chmod(dir.file("secrets.yaml"), 0o600)
        let source = ["--positron", dir.file("positron.yaml"), "--secrets", dir.file("secrets.yaml")]

        let asked = try Taser.run(["--db", db, "--as", "ana", "query", "USER_MANAGER", "jdoe"] + source)
        #expect(asked.status == 0, "\(asked.stderr)")
        #expect(asked.stdout.contains("mboss") && asked.stdout.contains("hr"))
        #expect(asked.stderr.contains("broken failed") && asked.stderr.contains("key *** refused"))

        let json = try Taser.run(["--db", db, "--as", "ana", "query", "USER_MANAGER", "jdoe", "--json"] + source)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["query"] as? String == "USER_MANAGER" && (object["answers"] as? [Any])?.count == 1)

        let denied = try Taser.run(["--db", db, "--as", "dana", "query", "USER_MANAGER", "jdoe"] + source)
        #expect(denied.status == 1 && denied.stderrLines.count == 1 && denied.stderr.contains("dana is not allowed to ask USER_MANAGER"))

        let badInput = try Taser.run(["--db", db, "--as", "ana", "query", "IP_TO_HOSTNAME", "web-01"] + source)
        #expect(badInput.status == 1 && badInput.stderr.contains("IP_TO_HOSTNAME takes an ip; 'web-01' is not one"))

        let audit = try Taser.run(["--db", db, "query", "audit"])
        #expect(audit.status == 0 && audit.stdout.contains("dana") && audit.stdout.contains("NO") && audit.stdout.contains("broken:failed"))
        for output in [asked.stdout, asked.stderr, json.stdout, denied.stderr, audit.stdout] {
            #expect(!output.contains("SUPERSECRET123"))
        }
        // The audit is the database owner's to read.
        #expect(try Taser.run(["--db", db, "--as", "ana", "query", "audit"]).status == 1)

        // A world-readable secrets file is refused before anything runs.
        chmod(dir.file("secrets.yaml"), 0o644)
        let leaky = try Taser.run(["--db", db, "--as", "ana", "query", "USER_MANAGER", "jdoe"] + source)
        #expect(leaky.status == 1 && leaky.stderr.contains("readable by others"))
    }

    @Test func enrichAnAlertsArtifactsAndSeeTheAnswersOnTheAlert() throws {
        let dir = TempDir()
        let db = dir.file()
        #expect(try Taser.run(["--db", db, "rules", "add", "cb-one", "--enable", "(1 CarbonBlack alert) IN 1 hour WITH hostname IN COMMON"]).status == 0)
        let cb = #"{"id":"e1","type":"CB_ANALYTICS","backend_timestamp":"2026-11-20T12:00:00Z","first_event_timestamp":"2026-11-20T12:00:00Z","severity":5,"reason":"r","device_name":"LT-ENR01","device_id":1,"device_internal_ip":"10.8.8.8","org_key":"O"}"#
        #expect(try Taser.run(["--db", db, "ingest", "-"], stdin: cb + "\n").status == 0)
        let none = ["--positron", dir.file("none.yaml")]
        try "plugins: []\n".write(toFile: dir.file("none.yaml"), atomically: true, encoding: .utf8)
        let enriched = try Taser.run(["--db", db, "enrich", "--alert", "1"] + none)
        #expect(enriched.status == 0, "\(enriched.stderr)")
        #expect(enriched.stdout.contains("ip 10.8.8.8  IP_TO_HOSTNAME  hostname=LT-ENR01  (taser)"), "\(enriched.stdout)")
        let shown = try Taser.run(["--db", db, "alert", "show", "1"])
        #expect(shown.stdout.contains("10.8.8.8: IP_TO_HOSTNAME {\"hostname\":\"LT-ENR01\"} (taser"), "\(shown.stdout)")
        let missing = try Taser.run(["--db", db, "enrich", "10.9.9.9"] + none)
        #expect(missing.status == 1 && missing.stderrLines.count == 1)
        let neither = try Taser.run(["--db", db, "enrich"] + none)
        #expect(neither.status == 1 && neither.stderr.contains("name an artifact's value or --alert ID"))
    }
}

/// Enrichment rules run beside `taser ingest`: the answers are on the alert, the case and the
/// pivot; a plugin's secret is in none of them, nor in the audit, nor in the database file.
@Suite struct EnrichmentCLITests {
    @Test func ingestEnrichesInTheBackgroundAndSecretsStayOut() throws {
        let dir = TempDir()
        let db = dir.file()
        try "login,manager\njane.doe@example.com,mboss\njohn.roe@example.com,cfo\n".write(toFile: dir.file("hr.csv"), atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho \"geo key $2 refused\" >&2\nexit 3\n".write(toFile: dir.file("geo.sh"), atomically: true, encoding: .utf8)
        chmod(dir.file("geo.sh"), 0o755)
        try """
            plugins:
              - { name: hr, type: table, file: hr.csv, queries: { USER_MANAGER: { key: login, answer: { manager: manager } } } }
              - { name: geo, type: command, command: [geo.sh, "{value}", "${secret:geo_key}"], queries: [IP_GEO] }
            enrichment:
              - kinds: [SSO login from a new location]
                artifacts: { user: [USER_MANAGER], ip: [IP_GEO] }
            """.write(toFile: dir.file("positron.yaml"), atomically: true, encoding: .utf8)
        try "geo_key: GEOSECRET987\n".write(toFile: dir.file("secrets.yaml"), atomically: true, encoding: .utf8)
        chmod(dir.file("secrets.yaml"), 0o600)
        let source = ["--positron", dir.file("positron.yaml"), "--secrets", dir.file("secrets.yaml")]
        #expect(try Taser.run(["--db", db, "rules", "add", "new-place", "--enable", "(1 SSO login from a new location) IN 1 hour WITH username IN COMMON"]).status == 0)

        let okta = IngestCLITests.fixtures.appendingPathComponent("okta.json").path
        let ingested = try Taser.run(["--db", db, "ingest", okta] + source)
        #expect(ingested.status == 0, "\(ingested.stderr)")
        // The new-location sign-in's user and IP were asked; the other two signals match no rule.
        #expect(ingested.stderr.contains("Enrichment: 2 queries about 3 signals' artifacts, 1 answer stored"), "\(ingested.stderr)")

        let alert = try Taser.run(["--db", db, "alert", "show", "1"])
        // Okta names her by her login email (as written: Jane.Doe@example.com; artifacts fold it).
        #expect(alert.stdout.contains(#"jane.doe@example.com: USER_MANAGER {"manager":"mboss"} (hr"#), "\(alert.stdout)")
        #expect(try Taser.run(["--db", db, "case", "new", "--alert", "1"]).status == 0)
        let shown = try Taser.run(["--db", db, "case", "show", "1"])
        #expect(shown.stdout.contains(#"jane.doe@example.com: USER_MANAGER {"manager":"mboss"} (hr"#), "\(shown.stdout)")
        let pivot = try Taser.run(["--db", db, "pivot", "Jane.Doe@example.com", "--type", "user"])
        #expect(pivot.stdout.contains(#"USER_MANAGER {"manager":"mboss"}"#), "\(pivot.stdout)")

        let audit = try Taser.run(["--db", db, "query", "audit"])
        #expect(audit.stdout.contains("geo:failed") && audit.stdout.contains("hr:answered(1)"), "\(audit.stdout)")
        let exported = try Taser.run(["--db", db, "case", "export", "1", "--format", "json"])
        #expect(exported.status == 0)
        let export = try #require(try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any])
        let jane = (export["artifacts"] as? [[String: Any]])?.first { $0["value"] as? String == "jane.doe@example.com" && $0["type"] as? String == "user" }
        let said = try #require((jane?["enrichments"] as? [[String: Any]])?.first)
        #expect(said["query"] as? String == "USER_MANAGER" && (said["answer"] as? [String: String]) == ["manager": "mboss"] && said["plugins"] as? [String] == ["hr"])
        let csv = try Taser.run(["--db", db, "case", "export", "1", "--format", "csv"])
        #expect(csv.stdout.contains("enrichment,1,"), "\(csv.stdout)")
        // The same ingest again stores nothing new, so nothing more is asked.
        let again = try Taser.run(["--db", db, "ingest", okta, "--json"] + source)
        #expect(again.stdout.contains(#""enrichment_queries":0"#), "\(again.stdout)")

        var everything = [ingested.stdout, ingested.stderr, alert.stdout, shown.stdout, pivot.stdout, audit.stdout, exported.stdout, csv.stdout, again.stdout]
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: db + suffix) { everything.append(String(decoding: data, as: UTF8.self)) }
        }
        for text in everything { #expect(!text.contains("GEOSECRET987")) }
    }

    @Test func aBrokenDefaultPositronConfigDoesNotStopIngest() throws {
        let dir = TempDir()
        let config = dir.file("config")
        try FileManager.default.createDirectory(atPath: config + "/taser", withIntermediateDirectories: true)
        try "plugins: [ { name: x } ]\nenrichment: [ { artifacts: { ip: [IP_GEO] } } ]\n".write(toFile: config + "/taser/positron.yaml", atomically: true, encoding: .utf8)
        let okta = IngestCLITests.fixtures.appendingPathComponent("okta.json").path
        let run = try Taser.run(["--db", dir.file(), "ingest", okta], env: ["XDG_CONFIG_HOME": config])
        #expect(run.status == 0 && run.stdout.contains("3 stored") && run.stderr.contains("ingesting without enrichment"), "\(run.stderr)")
        let named = try Taser.run(["--db", dir.file(), "ingest", okta, "--positron", config + "/taser/positron.yaml"])
        #expect(named.status == 1 && named.stderr.contains("needs a name and a type"))
        // Without enrichment rules an ingest does not load the plugins at all: nothing to warn of.
        try "plugins: [ { name: x } ]\n".write(toFile: config + "/taser/positron.yaml", atomically: true, encoding: .utf8)
        let plain = try Taser.run(["--db", dir.file("other.db"), "ingest", okta], env: ["XDG_CONFIG_HOME": config])
        #expect(plain.status == 0 && !plain.stderr.contains("warning"), "\(plain.stderr)")
    }
}
