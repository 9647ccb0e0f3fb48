/// auditd writes one event as several lines (SYSCALL, EXECVE, CWD, PATH, PROCTITLE...) that
/// share `msg=audit(TIME:SERIAL)`, and a Sigma rule about an event reads all of them (`type:
/// SYSCALL` with `exe`, `type: EXECVE` with `a0`). Line framing makes one record of such a run
/// of lines: the lines are contiguous in auditd's own log and in its dispatcher's output, so
/// a run ends where the serial (or node) changes, at an EOE record, or at `maxRecords` lines.
/// The line framer does not cut a chunk inside a run that may go on (see
/// `LineFramer.heldAuditEvent`), so where the input's blocks and batches fall does not change
/// the records.
enum AuditGrouping {
    /// Past this many records one event is cut: a PATH per file of a long argument list is
    /// the most an event holds in practice.
    static let maxRecords = 256

    /// The event a line belongs to (its `node=` prefix and `audit(TIME:SERIAL)`), or nil when
    /// the line is not a raw auditd record.
    static func key(_ line: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var i = 0
        var node: Range<Int> = 0..<0
        if starts(line, at: 0, with: "node=") {
            i = 5
            while i < line.count, line[i] != 32 { i += 1 }
            node = 0..<i
            while i < line.count, line[i] == 32 { i += 1 }
        }
        guard starts(line, at: i, with: "type=") else { return nil }
        // The type name is short; `msg=audit(` follows it.
        var j = i + 5
        while j < line.count, j - i < 48, line[j] != 32 { j += 1 }
        while j < line.count, line[j] == 32 { j += 1 }
        guard starts(line, at: j, with: "msg=audit(") else { return nil }
        let open = j + 10
        var close = open
        while close < line.count, close - open <= 40, line[close] != UInt8(ascii: ")") { close += 1 }
        guard close < line.count, line[close] == UInt8(ascii: ")"), close > open else { return nil }
        return Array(line[node]) + [0] + Array(line[open..<close])
    }

    /// Whether a line is the EOE record that ends an event.
    static func isEnd(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if starts(line, at: 0, with: "node=") {
            while i < line.count, line[i] != 32 { i += 1 }
            while i < line.count, line[i] == 32 { i += 1 }
        }
        return starts(line, at: i, with: "type=EOE ")
    }

    private static func starts(_ line: UnsafeBufferPointer<UInt8>, at i: Int, with text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard i >= 0, i + n <= line.count else { return false }
        let p = text.utf8Start
        for k in 0..<n where line[i + k] != p[k] { return false }
        return true
    }
}
