import Foundation
import GRDB
import Model
@testable import Store

/// A fresh directory per test, removed afterwards.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "taser-store-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String = "t.db") -> String { path + "/" + name }
}

/// Raw SQL on the file, bypassing taser entirely: what a tamperer would do.
func rawSQL(_ path: String, _ sql: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.write { db in try db.execute(sql: sql) }
}

/// A case with a few log entries, written through the store's own API.
@discardableResult
func caseWithLog(_ store: Store, entries: Int = 3, title: String = "Test case") throws -> Int64 {
    try store.write { tx in
        let t = Timestamp(ms: 1_000_000)
        try tx.saveAnalyst(Analyst(name: "ana"), at: t)
        let id = try tx.insertCase(NewCase(title: title), createdBy: "ana", at: t)
        for n in 0..<entries {
            try tx.appendLog(NewLogEntry(kind: .note, body: "note \(n)"), toCase: id, author: "ana", at: Timestamp(ms: t.ms + Int64(n)))
        }
        return id
    }
}

func fingerprint(_ store: Store) throws -> String { try store.read { tx in try tx.fingerprint() } }

func signal(_ ref: String?, time: Int64 = 1_000, raw: String = "{}", artifacts: [ArtifactMention] = []) -> NewSignal {
    NewSignal(
        time: Timestamp(ms: time), source: "test", sourceRef: ref, kind: "test.event", severity: .low, title: "t",
        fields: ["user.name": "ana"], raw: raw, artifacts: artifacts)
}
