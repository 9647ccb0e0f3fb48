import Foundation
import Model
import Store

/// A drop folder (the S3-bucket pattern): tools or sync jobs put files in; each new file is
/// ingested once and moved to `done/` (or `failed/` when anything in it was quarantined).
/// Files are known by content in the database, so after a crash or restart nothing is
/// ingested twice (a file already recorded is only moved) and nothing is skipped (a file
/// whose ingest was cut short is `started`, and ingesting it again stores what is missing).
public final class DropFolder: @unchecked Sendable {
    public let path: String
    let ingester: Ingester
    /// Files modified more recently than this are still being written; left for the next sweep.
    public var settleSeconds: TimeInterval = 1

    public struct Outcome: Sendable {
        public var file: String
        public var status: FileStatus
        public var summary: IngestSummary
        /// True when the database already had the file (moved, not ingested again).
        public var alreadyIngested: Bool
    }

    public init(path: String, ingester: Ingester) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw IngestError.unreadable(path: path, reason: "no such directory")
        }
        self.path = (path as NSString).standardizingPath
        self.ingester = ingester
        for sub in ["done", "failed"] {
            try FileManager.default.createDirectory(atPath: self.path + "/" + sub, withIntermediateDirectories: true)
        }
    }

    /// The files ready to take, oldest name first.
    func readyFiles(now: Date) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        return names.filter { name in
            guard !name.hasPrefix("."), !name.hasSuffix(".tmp"), !name.hasSuffix(".part"), !name.hasSuffix(".partial") else { return false }
            let full = path + "/" + name
            guard let attrs = try? FileManager.default.attributesOfItem(atPath: full), attrs[.type] as? FileAttributeType == .typeRegular
            else { return false }
            let modified = attrs[.modificationDate] as? Date ?? .distantPast
            return now.timeIntervalSince(modified) >= settleSeconds
        }
    }

    /// One pass over the folder.
    public func sweep(report: (Outcome) -> Void = { _ in }) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for name in try readyFiles(now: Date()) {
            let full = path + "/" + name
            guard let data = FileManager.default.contents(atPath: full) else { continue }
            let bytes = Array(data)
            let digest = Store.sha256Hex(bytes: bytes)
            let store = ingester.store
            if let status = try store.read({ tx in try tx.fileStatus(folder: path, digest: digest) }), status != .started {
                try move(name, to: status)
                let outcome = Outcome(file: name, status: status, summary: IngestSummary(), alreadyIngested: true)
                report(outcome)
                outcomes.append(outcome)
                continue
            }
            try store.write { tx in
                try tx.markFile(folder: path, name: name, size: bytes.count, digest: digest, status: .started, summary: nil, at: .now)
            }
            let summary = try ingester.ingest(bytes, source: full)
            let status: FileStatus = summary.quarantined == 0 ? .done : .failed
            let text = "\(summary.stored) stored, \(summary.duplicates) duplicate, \(summary.quarantined) quarantined"
            try store.write { tx in
                try tx.markFile(folder: path, name: name, size: bytes.count, digest: digest, status: status, summary: text, at: .now)
            }
            try move(name, to: status)
            let outcome = Outcome(file: name, status: status, summary: summary, alreadyIngested: false)
            report(outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Moves a file into `done/` or `failed/`, never over another file of the same name.
    func move(_ name: String, to status: FileStatus) throws {
        let folder = path + "/" + (status == .done ? "done" : "failed")
        var target = folder + "/" + name
        var n = 1
        while FileManager.default.fileExists(atPath: target) {
            target = folder + "/" + name + ".\(n)"
            n += 1
        }
        try FileManager.default.moveItem(atPath: path + "/" + name, toPath: target)
    }

    /// Sweeps every `interval` seconds until `stop()` says so.
    public func watch(every interval: TimeInterval, stop: () -> Bool, report: (Outcome) -> Void) throws {
        while !stop() {
            _ = try sweep(report: report)
            let deadline = Date().addingTimeInterval(interval)
            while !stop() && Date() < deadline { usleep(100_000) }
        }
    }
}

/// A maildir (as procmail, fetchmail or a phish-report mailbox leaves it): every message in
/// `new/` and `cur/` is one email; taken messages move from `new/` to `cur/`, as mail readers do.
public enum Maildir {
    public static func ingest(_ path: String, with ingester: Ingester) throws -> IngestSummary {
        let fm = FileManager.default
        let new = path + "/new", cur = path + "/cur"
        guard fm.fileExists(atPath: new) || fm.fileExists(atPath: cur) else {
            throw IngestError.unreadable(path: path, reason: "not a maildir (no new/ or cur/)")
        }
        var summary = IngestSummary()
        for folder in [cur, new] where fm.fileExists(atPath: folder) {
            for name in try fm.contentsOfDirectory(atPath: folder).sorted() where !name.hasPrefix(".") {
                let file = folder + "/" + name
                guard let data = fm.contents(atPath: file) else { continue }
                summary.add(try ingester.ingest(Array(data), source: file, hint: .email))
                if folder == new {
                    try? fm.moveItem(atPath: file, toPath: cur + "/" + name + (name.contains(":2,") ? "" : ":2,S"))
                }
            }
        }
        return summary
    }
}
