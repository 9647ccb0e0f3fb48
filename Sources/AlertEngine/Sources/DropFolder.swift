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

    /// One pass over the folder. A file that cannot be read or ingested is moved to `failed/`
    /// with a `.reason` file beside it, and the sweep goes on with the rest: one bad file never
    /// holds up the folder.
    public func sweep(report: (Outcome) -> Void = { _ in }) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for name in try readyFiles(now: Date()) {
            let outcome: Outcome
            do {
                outcome = try take(name)
            } catch {
                var reason = "\(error)"
                do {
                    try move(name, to: .failed, reason: reason)
                } catch {
                    // Left where it is, the file is tried again next sweep.
                    reason += "; it could not be moved to failed/ (\(error))"
                }
                var summary = IngestSummary()
                summary.reasons = [reason]
                outcome = Outcome(file: name, status: .failed, summary: summary, alreadyIngested: false)
            }
            report(outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Ingests one file (read twice, a block at a time: once for its digest, once to ingest).
    private func take(_ name: String) throws -> Outcome {
        let full = path + "/" + name
        let (digest, size) = try DropFolder.digest(of: full)
        let store = ingester.store
        if let status = try store.read({ tx in try tx.fileStatus(folder: path, digest: digest) }), status != .started {
            try move(name, to: status)
            return Outcome(file: name, status: status, summary: IngestSummary(), alreadyIngested: true)
        }
        try store.write { tx in
            try tx.markFile(folder: path, name: name, size: size, digest: digest, status: .started, summary: nil, at: .now)
        }
        let summary = try ingester.ingest(try FileInput(path: full), source: full)
        let status: FileStatus = summary.quarantined == 0 ? .done : .failed
        let text = summary.line
        try store.write { tx in
            try tx.markFile(folder: path, name: name, size: size, digest: digest, status: status, summary: text, at: .now)
        }
        let reason = ([text] + summary.reasons.map { "quarantined \($0)" }).joined(separator: "\n")
        try move(name, to: status, reason: status == .failed ? reason : nil)
        return Outcome(file: name, status: status, summary: summary, alreadyIngested: false)
    }

    /// A file's SHA-256 and size, read a block at a time.
    static func digest(of file: String) throws -> (String, Int) {
        let input = try FileInput(path: file)
        let hash = StreamingSHA256()
        var size = 0
        while true {
            let block = try input.read(max: 1 << 20)
            if block.isEmpty { break }
            hash.update(block)
            size += block.count
        }
        return (hash.hex(), size)
    }

    /// Moves a file into `done/` or `failed/`, never over another file of the same name; a
    /// failed file gets `<name>.reason` beside it, saying why.
    func move(_ name: String, to status: FileStatus, reason: String? = nil) throws {
        let folder = path + "/" + (status == .done ? "done" : "failed")
        var target = folder + "/" + name
        var n = 1
        while FileManager.default.fileExists(atPath: target) || FileManager.default.fileExists(atPath: target + ".reason") {
            target = folder + "/" + name + ".\(n)"
            n += 1
        }
        try FileManager.default.moveItem(atPath: path + "/" + name, toPath: target)
        if let reason {
            try? Data((reason + "\n").utf8).write(to: URL(fileURLWithPath: target + ".reason"))
        }
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
                // A message that cannot be opened (gone, unreadable) is left where it is, as
                // before; the next run tries it again.
                guard let input = try? FileInput(path: file) else { continue }
                summary.add(try ingester.ingest(input, source: file, hint: .email))
                if folder == new {
                    try? fm.moveItem(atPath: file, toPath: cur + "/" + name + (name.contains(":2,") ? "" : ":2,S"))
                }
            }
        }
        return summary
    }
}
