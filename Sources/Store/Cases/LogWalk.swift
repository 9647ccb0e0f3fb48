internal import GRDB
import Model

/// "entry #4 was deleted", "entries #2...#5 were deleted".
private func entries(_ first: Int64, _ last: Int64, are what: String, present: Bool = false) -> String {
    first == last ? "entry #\(first) \(present ? "is" : "was") \(what)" : "entries #\(first)...#\(last) \(present ? "are" : "were") \(what)"
}

/// One pass over every entry in (case, seq) order, checking each case against its head: the
/// heart of `Tx.verify`.
struct LogWalk {
    let key: [UInt8]?
    let visible: Set<Int64>?

    /// The case being walked.
    struct Case {
        var id: Int64
        var head: LogHead?
        var count: Int64 = 0
        var lastHash = LogEntry.genesisHash
        var sawSealed = false
        /// The hash of the entry the signed head counts to.
        var pinned: String?
        var unsignedFrom: Int64?
        var unsignedAuthors: [String] = []
        var problem: (entry: Int64?, seq: Int64?, reason: String)?

        var signedEntries: Int64 { head?.signedEntries ?? 0 }
        /// Entries past this were written without the key.
        var signedUpTo: Int64 { head?.signature == nil ? 0 : signedEntries }
    }

    mutating func run(_ tx: Tx, into report: inout VerifyReport) throws {
        var heads: [Int64: LogHead] = [:]
        for head in try tx.logHeads() { heads[head.caseID] = head }
        let caseIDs = Set(try Int64.fetchAll(tx.db, sql: "SELECT id FROM cases"))
        var walked = Set<Int64>()
        var current: Case? = nil
        let rows = try Row.fetchCursor(tx.db, sql: "SELECT \(LogEntry.columns) FROM case_log l ORDER BY l.case_id, l.seq, l.id")
        while let row = try rows.next() {
            // A NULL put there by hand reads as case 0, which no case has: reported, not trapped on.
            let caseID = ((try? row.decode(Int64?.self, forColumn: "case_id")) ?? nil) ?? 0
            if caseID != current?.id {
                if let done = current { finish(done, exists: caseIDs.contains(done.id), into: &report) }
                current = Case(id: caseID, head: heads[caseID])
                walked.insert(caseID)
            }
            // Set just above for this row's case, so never nil here.
            step(&current!, row, into: &report)
        }
        if let done = current { finish(done, exists: caseIDs.contains(done.id), into: &report) }
        for id in caseIDs.union(heads.keys).subtracting(walked).sorted() {
            finish(Case(id: id, head: heads[id]), exists: caseIDs.contains(id), into: &report)
        }
        report.broken.sort { $0.caseID < $1.caseID }
    }

    private func isVisible(_ id: Int64) -> Bool { visible?.contains(id) ?? true }

    private func step(_ c: inout Case, _ row: Row, into report: inout VerifyReport) {
        let id = ((try? row.decode(Int64?.self, forColumn: "id")) ?? nil) ?? 0
        let seq = ((try? row.decode(Int64?.self, forColumn: "seq")) ?? nil) ?? 0
        c.count += 1
        if isVisible(c.id) { report.entries += 1 }
        guard c.problem == nil else { return }
        func fail(_ reason: String) { c.problem = (id, seq, reason) }
        guard let entry = LogEntry(row: row) else {
            let kind = (try? row.decode(String?.self, forColumn: "kind")) ?? nil
            let seal = (try? row.decode(String?.self, forColumn: "seal")) ?? nil
            return fail("unknown kind '\(kind ?? "")' or seal '\(seal ?? "")': the entry was not written by taser")
        }
        let expected = c.count
        if seq != expected {
            return fail(seq > expected ? "\(entries(expected, seq - 1, are: "missing", present: true))" : "its sequence number repeats or goes back")
        }
        if entry.prevHash != c.lastHash {
            return fail("its previous-entry hash does not match entry #\(seq - 1): an entry before it was altered or replaced")
        }
        switch entry.seal {
        case .legacy:
            if c.sawSealed { return fail("an entry in the pre-v10 form after keyed ones: it was added outside taser") }
            if isVisible(c.id) { report.legacy += 1 }
        case .sha256:
            c.sawSealed = true
            if isVisible(c.id) { report.sealedWithoutKey += 1 }
        case .hmac:
            c.sawSealed = true
            if seq > c.signedUpTo {
                return fail("it is sealed with the key but its case's signed head stops at #\(c.signedUpTo): the head was rolled back")
            }
            if isVisible(c.id) { report.sealedWithKey += 1 }
        }
        let valid: Bool
        switch entry.seal {
        case .legacy, .sha256: valid = Hashing.sha256Hex(entry.canonicalForm) == entry.hash
        case .hmac: valid = key.map { Hashing.hmacHex(entry.canonicalForm, key: $0) == entry.hash } ?? true
        }
        if !valid { return fail("its content does not match its seal: the entry was altered") }
        if seq == c.signedEntries { c.pinned = entry.hash }
        if seq > c.signedUpTo {
            if c.unsignedFrom == nil { c.unsignedFrom = seq }
            if !c.unsignedAuthors.contains(entry.author) { c.unsignedAuthors.append(entry.author) }
        }
        c.lastHash = entry.hash
    }

    private func finish(_ c: Case, exists: Bool, into report: inout VerifyReport) {
        // The admin hears about every case, those removed outside taser included; anyone else
        // about the cases they may read, which a removed case is not.
        let visible = self.visible.map { exists && $0.contains(c.id) } ?? true
        if visible && exists { report.cases += 1 }
        var problem = c.problem
        if problem == nil { problem = headProblem(c, exists: exists).map { (nil, nil, $0) } }
        if let problem {
            if visible {
                report.broken.append(.init(caseID: c.id, entryID: problem.entry, seq: problem.seq, reason: problem.reason))
            } else {
                report.brokenUnreadable = true
            }
            return
        }
        if visible, let from = c.unsignedFrom {
            report.unsigned.append(.init(caseID: c.id, first: from, last: c.count, authors: c.unsignedAuthors))
        }
    }

    /// What is wrong between a case's entries and its head, if anything.
    private func headProblem(_ c: Case, exists: Bool) -> String? {
        guard exists else { return "entries or a head of a case that does not exist: the case was removed outside taser" }
        guard let head = c.head else {
            return "it has no head (the record of its entry count and last hash): it was removed outside taser"
        }
        if c.count < head.entries {
            return c.count == 0
                ? "all \(head.entries) of its entries were deleted (its head records \(head.entries))"
                : "\(entries(c.count + 1, head.entries, are: "deleted")) (its head records \(head.entries))"
        }
        if c.count > head.entries {
            return "\(entries(head.entries + 1, c.count, are: "added outside taser")) (its head records \(head.entries))"
        }
        if c.lastHash != head.hash { return "its last entry is not the one its head records: it was replaced" }
        if head.signedEntries > c.count {
            return "\(entries(c.count + 1, head.signedEntries, are: "deleted")) (its signed head records \(head.signedEntries))"
        }
        if head.signature == nil {
            if head.signedEntries != 0 || head.signedHash != LogEntry.genesisHash { return "its head's signature was removed" }
            return nil
        }
        if let key, !head.signatureValid(key: key) { return "its head's signature does not match: the head was forged" }
        let pinned = head.signedEntries == 0 ? LogEntry.genesisHash : c.pinned
        if pinned != head.signedHash {
            return "its entries up to #\(head.signedEntries) are not those its signed head records: they were rewritten"
        }
        return nil
    }
}
