import Foundation
import Testing

/// `taser identities`: links learned at ingest with where they came from, a file import, and a
/// wrong link removed for good, all through the real binary.
@Suite struct IdentitiesCLITests {
    func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func learnListImportAndUnlinkForGood() throws {
        let dir = TempDir()
        let db = dir.file("id.db")
        let duo = IngestCLITests.fixtures.appendingPathComponent("duo.ndjson").path
        try #require(try Taser.run(["--db", db, "ingest", duo]).status == 0)

        // Duo's records carry the user and the email: one identity, learned from duo.
        let listed = jsonLines(try Taser.run(["--db", db, "identities", "--json"]).stdout)
        let jane = try #require(listed.first { $0["identity"] as? String == "jane.doe" }, "\(listed)")
        let links = jane["links"] as? [[String: Any]] ?? []
        #expect(links.contains { $0["a"] as? String == "jane.doe" && $0["b"] as? String == "jane.doe@example.com" && $0["source"] as? String == "duo" }, "\(links)")

        // An HR export adds her domain login; the text list says where each link came from.
        let hr = dir.file("hr.csv")
        try "login,email,domain,title\njane.doe,jane.doe@example.com,CORP,CFO\n".write(toFile: hr, atomically: true, encoding: .utf8)
        let imported = try Taser.run(["--db", db, "identities", "import", hr])
        #expect(imported.status == 0 && imported.stdout.contains("hr.csv: 1 person, 1 new link"), "\(imported.stdout)\(imported.stderr)")
        let text = try Taser.run(["--db", db, "identities", "--search", "CORP"]).stdout
        #expect(text.contains("corp\\jane.doe (domain_login)") && text.contains("from duo") && text.contains("from file:hr.csv"), "\(text)")

        // A wrong link is removed, and ingesting the same records again does not restore it.
        let unlinked = try Taser.run(["--db", db, "identities", "unlink", "Jane.Doe", "jane.doe@example.com"])
        #expect(unlinked.status == 0, "\(unlinked.stderr)")
        try #require(try Taser.run(["--db", db, "ingest", duo]).status == 0)
        let after = jsonLines(try Taser.run(["--db", db, "identities", "--json"]).stdout)
        let stillLinked = after.contains { identity in
            let values = (identity["identifiers"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            return values.contains("jane.doe") && values.contains("jane.doe@example.com")
        }
        #expect(!stillLinked, "\(after)")

        // Bad input: one line, exit 1, nothing changed.
        let before = try Taser.run(["--db", db, "identities", "--json"]).stdout
        for args in [["unlink", "nobody", "no.one"], ["import", dir.file("missing.csv")], ["link", "same", "SAME"]] {
            let r = try Taser.run(["--db", db, "identities"] + args)
            #expect(r.status == 1 && r.stderrLines.count == 1, "\(args): \(r.stderr)")
        }
        #expect(try Taser.run(["--db", db, "identities", "--json"]).stdout == before)
    }
}
