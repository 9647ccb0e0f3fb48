import Foundation
import Testing

/// Issue 13 (part): an IP artifact says where it lives, so 10.20.30.40 reads as a private
/// address of ours, not an attacker's.
@Suite struct ArtifactScopeTests {
    @Test func ipArtifactsCarryTheirScope() throws {
        let dir = TempDir()
        let db = dir.file("s.db")
        let file = dir.file("eve.ndjson")
        let eve = #"{"timestamp":"2026-11-02T10:00:00.000000+0000","flow_id":1,"event_type":"alert","src_ip":"10.20.30.40","src_port":51000,"dest_ip":"203.0.113.7","dest_port":443,"proto":"TCP","alert":{"signature_id":2000001,"signature":"ET TEST","severity":2}}"#
        try Data((eve + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let ingest = try Taser.run(["--db", db, "ingest", file])
        try #require(ingest.status == 0, "\(ingest.stderr)")
        let listed = try Taser.run(["--db", db, "artifacts", "--type", "ip", "--json"])
        let scopes = Dictionary(uniqueKeysWithValues: listed.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let value = o["value"] as? String, let scope = o["scope"] as? String
            else { return nil }
            return (value, scope)
        })
        #expect(scopes["10.20.30.40"] == "private", "\(listed.stdout)")
        #expect(scopes["203.0.113.7"] == "reserved", "\(listed.stdout)")
    }
}
