import Model

/// Every case's head at one moment, as the `log.heads` outbox event carries it to a remote
/// witness (a webhook endpoint): the heads themselves and a SHA-256 digest over them that
/// anyone can recompute. Once a witness holds them, not even the key's holder can rewrite or
/// roll back those entries unnoticed: `taser verify --heads FILE` compares.
public struct LogWitness: Codable, Sendable, Equatable {
    public struct Head: Codable, Sendable, Equatable {
        public var caseID: Int64
        public var entries: Int64
        public var hash: String
    }

    public static let format = "taser.log.heads.v1"

    public var heads: [Head]
    /// When the heads were taken, as ISO 8601 text.
    public var publishedAt: String

    /// SHA-256 over `[[case, entries, hash], ...]` in case order, as compact JSON.
    public var digest: String {
        Hashing.sha256Hex(JSONValue.array(heads.map { [.int($0.caseID), .int($0.entries), .string($0.hash)] }).text)
    }

    /// The event's payload.
    public var payload: JSONValue {
        .object([
            "format": .string(LogWitness.format), "published_at": .string(publishedAt), "cases": .int(Int64(heads.count)),
            "digest": .string(digest),
            "heads": .array(heads.map { ["case": .int($0.caseID), "entries": .int($0.entries), "hash": .string($0.hash)] }),
        ])
    }

    /// What is wrong with a heads file, said so the analyst can tell a wrong file from a forged one.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads what a witness received: the webhook's whole body (`{"event": "log.heads",
    /// "payload": {...}}`) or the payload alone.
    public static func parse(_ text: String) throws(Problem) -> LogWitness {
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { throw Problem("not JSON (\(error.description))") }
        var payload = json
        if let inner = json["payload"], json["event"] != nil {
            guard json["event"]?.stringValue == "log.heads" else {
                throw Problem("it holds a '\(json["event"]?.stringValue ?? "?")' event, not log.heads")
            }
            payload = inner
        }
        guard payload["format"]?.stringValue == format else {
            throw Problem("it is not a log.heads payload (no \"format\": \"\(format)\")")
        }
        guard let list = payload["heads"]?.arrayValue, let digest = payload["digest"]?.stringValue else {
            throw Problem("its heads or digest are missing")
        }
        var heads: [Head] = []
        heads.reserveCapacity(list.count)
        for (n, item) in list.enumerated() {
            guard case .int(let caseID)? = item["case"], caseID > 0, case .int(let entries)? = item["entries"], entries >= 0,
                let hash = item["hash"]?.stringValue, hash.count == 64, hash.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
            else { throw Problem("heads[\(n)] is not {case, entries, hash} with a case number, an entry count and a SHA-256 hex hash") }
            heads.append(Head(caseID: caseID, entries: entries, hash: hash))
        }
        let witness = LogWitness(heads: heads, publishedAt: payload["published_at"]?.stringValue ?? "an unknown date")
        guard witness.digest == digest else {
            throw Problem("its digest does not match its heads: the file was changed after taser published it")
        }
        return witness
    }
}

extension Tx {
    /// Every case's head now, for a witness.
    public func logWitness(at time: Timestamp) throws -> LogWitness {
        LogWitness(heads: try logHeads().map { .init(caseID: $0.caseID, entries: $0.entries, hash: $0.hash) }, publishedAt: time.iso8601)
    }
}
