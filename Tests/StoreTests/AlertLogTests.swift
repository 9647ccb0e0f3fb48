import Foundation
import GRDB
import Model
import Testing
@testable import Store

/// An alert's log (v17) is append-only like the case log: SQLite itself refuses to rewrite it.
@Suite struct AlertLogTests {
    @Test func theAlertLogCannotBeRewrittenDeletedOrReplaced() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let t = Timestamp(ms: 1_000_000)
        let entry = try store.write { tx -> AlertLogEntry in
            let alert = try tx.insertAlert(NewAlert(rule: "r", groupKey: "k", severity: .low, title: "t", team: nil, signalIDs: []), at: t)
            try tx.setAlertTags(alert.id, ["vip"], at: t)
            return try tx.appendAlertLog(NewLogEntry(kind: .tags, body: "Tags: +vip"), toAlert: alert.id, author: "thehive-api", at: t)
        }
        for sql in [
            "UPDATE alert_log SET body = 'rewritten'", "DELETE FROM alert_log",
            "INSERT OR REPLACE INTO alert_log (id, alert_id, time, author, kind, body) VALUES (\(entry.id), 1, 0, 'x', 'note', 'forged')",
        ] {
            let error = #expect(throws: DatabaseError.self) { try rawSQL(dir.file(), sql) }
            #expect(error?.message?.contains("append-only") == true, "\(sql)")
        }
        let log = try store.read { tx in try tx.alertLog(entry.alertID) }
        #expect(log == [entry])
        #expect(try store.read { tx in try tx.alertTags(entry.alertID) } == ["vip"])
    }
}
