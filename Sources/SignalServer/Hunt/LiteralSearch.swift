/// Many literals found in one pass over a text (Aho-Corasick over bytes): which of them occur
/// anywhere in it. The hunt uses it to skip, in one scan of an event, every rule whose
/// necessary text is not there, so thousands of rules cost little more than a hundred.
///
/// The automaton is complete (a DFA): every state has a next state for every byte, so a scan
/// reads one table entry per byte of text and never follows failure links. The table must
/// stay small enough to live in cache (a 2,400-rule set's 21,000 literals whole made 94 MiB,
/// and the scan waited on memory at every byte), so it is built over less than the literals:
/// - each literal by its first `longest` bytes;
/// - bytes in columns: bytes no literal holds share column 0, every byte from 0x80 up (the
///   inside of UTF-8 characters, rare in literals) shares one more.
/// Both only make a literal look present when it is not, never absent when it is: text
/// holding the literal holds its start, byte for byte and so column for column. The answer
/// "absent" stays exact (what the matcher relies on) and "present" means "worth checking".
struct LiteralSearch: Sendable {
    static let longest = 12

    /// Byte -> column of `table`; column 0 is every byte no literal holds.
    private var classOf = [UInt16](repeating: 0, count: 256)
    private var columns = 1
    /// State * columns + column -> next state.
    private var table: [Int32] = []
    /// Literal ids ending at each state (its own, not its failure chain's): `outputIDs` from
    /// `outputStart[s]` to `outputStart[s + 1]`.
    private var outputStart: [Int32] = []
    private var outputIDs: [Int32] = []
    /// Per state: the first state to report on arriving there (itself when literals end
    /// there, else the nearest on its failure chain where some do), -1 for none.
    private var reportFrom: [Int32] = []
    /// Per reporting state: the next reporting state on its failure chain, -1 for none.
    private var nextReport: [Int32] = []
    /// Per state: its number among the reporting states (-1 when it reports nothing).
    private var reporter: [Int32] = []
    private var reporters = 0
    let count: Int

    /// `literals` must be lower-cased as the texts searched will be.
    init(_ literals: [[UInt8]]) {
        count = literals.count
        var high: UInt16 = 0
        for literal in literals {
            for byte in literal.prefix(LiteralSearch.longest) where classOf[Int(byte)] == 0 {
                if byte >= 0x80 {
                    if high == 0 {
                        high = UInt16(columns)
                        columns += 1
                    }
                    for b in 0x80...0xFF { classOf[b] = high }
                } else {
                    classOf[Int(byte)] = UInt16(columns)
                    columns += 1
                }
            }
        }
        // The trie, as sparse edges per state.
        var next: [[(UInt16, Int32)]] = [[]]
        var output: [[Int32]] = [[]]
        for (id, literal) in literals.enumerated() where !literal.isEmpty {
            var state = 0
            for byte in literal.prefix(LiteralSearch.longest) {
                let column = classOf[Int(byte)]
                if let hit = next[state].first(where: { $0.0 == column }) {
                    state = Int(hit.1)
                } else {
                    next.append([])
                    output.append([])
                    let created = Int32(next.count - 1)
                    next[state].append((column, created))
                    state = Int(created)
                }
            }
            output[state].append(Int32(id))
        }
        // States renumbered breadth first: the shallow states, where a scan spends most of its
        // bytes, sit together at the start of the table, in cache.
        var order: [Int] = [0]
        var at = 0
        while at < order.count {
            for (_, child) in next[order[at]] { order.append(Int(child)) }
            at += 1
        }
        var renumbered = [Int32](repeating: 0, count: next.count)
        for (new, old) in order.enumerated() { renumbered[old] = Int32(new) }
        next = order.map { old in next[old].map { ($0.0, renumbered[Int($0.1)]) } }
        output = order.map { output[$0] }

        // Breadth first, so a state's failure (a shallower state) is complete before it: a
        // missing edge goes where the failure state's goes.
        let columns = self.columns
        var table = [Int32](repeating: 0, count: next.count * columns)
        var fail = [Int32](repeating: 0, count: next.count)
        var queue: [Int] = [0]
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            let f = Int(fail[state])
            if state != 0 {
                for c in 0..<columns { table[state * columns + c] = table[f * columns + c] }
            }
            for (column, child) in next[state] {
                // The child's failure: where the parent's failure goes on this byte (the root's
                // children fail to the root).
                fail[Int(child)] = state == 0 ? 0 : table[f * columns + Int(column)]
                table[state * columns + Int(column)] = child
                queue.append(Int(child))
            }
        }
        self.table = table
        // A literal ends at exactly one state, and arriving at a state means every state on its
        // failure chain matched too: each reporting state is reported once per scan, and a
        // chain walk stops at the first state already reported (its rest was reported then).
        // Reporting every literal of the chain at every byte was most of a scan's time.
        reportFrom = [Int32](repeating: -1, count: next.count)
        nextReport = [Int32](repeating: -1, count: next.count)
        reporter = [Int32](repeating: -1, count: next.count)
        for state in 0..<next.count {  // breadth first: a failure state comes before
            let f = Int(fail[state])
            let chain = state == 0 ? -1 : (!output[f].isEmpty && f != 0 ? Int32(f) : reportFrom[f])
            nextReport[state] = chain
            if output[state].isEmpty {
                reportFrom[state] = chain
            } else {
                reportFrom[state] = Int32(state)
                reporter[state] = Int32(reporters)
                reporters += 1
            }
        }
        for list in output {
            outputStart.append(Int32(outputIDs.count))
            outputIDs += list
        }
        outputStart.append(Int32(outputIDs.count))
    }

    /// States of the automaton and bytes its table takes.
    var size: (states: Int, bytes: Int) { (table.count / columns, table.count * 4) }

    /// Marks in `found` (one flag per literal id) every literal the text holds, and appends
    /// each one's id to `hits` (once).
    ///
    /// Each byte's step waits for the previous one's table read, and a large rule set's table
    /// is bigger than the cache: one scan is a chain of memory waits. So the text is cut into
    /// `lanes` stretches scanned side by side in one loop, whose waits overlap. Each stretch
    /// but the first starts `longest - 1` bytes early, from the root: a literal that starts
    /// before a stretch's own bytes is within the previous stretch's reach, and one that
    /// starts inside is seen whole, so the lanes together find exactly what one pass finds.
    func scan(_ text: [UInt8], into found: inout [Bool], hits: inout [Int32]) {
        var reported = [Bool](repeating: false, count: reporters)
        let lanes = text.count >= 512 ? 4 : 1
        let stretch = (text.count + lanes - 1) / lanes
        var position = [Int](repeating: 0, count: lanes), end = position, state = position
        for lane in 0..<lanes {
            position[lane] = max(0, lane * stretch - (LiteralSearch.longest - 1))
            end[lane] = min(text.count, (lane + 1) * stretch)
        }
        let columns = self.columns
        text.withUnsafeBufferPointer { text in
        classOf.withUnsafeBufferPointer { classOf in
        table.withUnsafeBufferPointer { table in
        reportFrom.withUnsafeBufferPointer { reportFrom in
        nextReport.withUnsafeBufferPointer { nextReport in
        reporter.withUnsafeBufferPointer { reporter in
        outputStart.withUnsafeBufferPointer { outputStart in
        outputIDs.withUnsafeBufferPointer { outputIDs in
            var busy = true
            while busy {
                busy = false
                for lane in 0..<lanes where position[lane] < end[lane] {
                    busy = true
                    let byte = text[position[lane]]
                    position[lane] &+= 1
                    let next = Int(table[state[lane] &* columns &+ Int(classOf[Int(byte)])])
                    state[lane] = next
                    var r = Int(reportFrom[next])
                    while r >= 0 {
                        let number = Int(reporter[r])
                        if reported[number] { break }
                        reported[number] = true
                        for k in Int(outputStart[r])..<Int(outputStart[r &+ 1]) {
                            let id = Int(outputIDs[k])
                            found[id] = true
                            hits.append(Int32(id))
                        }
                        r = Int(nextReport[r])
                    }
                }
            }
        }}}}}}}}
    }
}
