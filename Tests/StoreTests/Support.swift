import Foundation
import GRDB
import Testing
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

/// Runs a program to its end and returns its exit status and output (stdout + stderr).
@discardableResult
func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The sqlite3 shell on the file: what someone rewriting it by hand would use.
@discardableResult
func sqlite3(_ path: String, _ sql: String) throws -> (status: Int32, output: String) {
    try run(["sqlite3", path, sql])
}

/// Drops the append-only triggers, runs `sql`, and puts the triggers back exactly as they were,
/// as a careful tamperer would, so `verify` cannot lean on a missing trigger.
func tamper(_ path: String, _ sql: String) throws {
    let triggers = try DatabaseQueue(path: path).read { db in
        try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").map { ($0["name"] as String, $0["sql"] as String) }
    }
    let script = triggers.map { "DROP TRIGGER \($0.0);" }.joined() + sql + ";" + triggers.map { $0.1 + ";" }.joined()
    let done = try sqlite3(path, "BEGIN;" + script + "COMMIT;")
    try #require(done.status == 0, "sqlite3 failed: \(done.output)")
}
