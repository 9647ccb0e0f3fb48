/// Many literals found in one pass over a text (Aho-Corasick over bytes): which of them occur
/// anywhere in it. The hunt uses it to skip, in one scan of an event, every rule whose
/// necessary text is not there, so thousands of rules cost little more than a hundred.
struct LiteralSearch: Sendable {
    // The automaton in flat arrays (state s's transitions are edges edgeStart[s]..<edgeStart[s+1],
    // its outputs likewise): a scan reads plain values, where arrays of arrays retained one
    // array per byte of text.
    private var edgeStart: [Int32] = []
    private var edgeBytes: [UInt8] = []
    private var edgeTargets: [Int32] = []
    private var fail: [Int32] = [0]
    /// Literal ids ending at each state, its failure chain's included.
    private var outputStart: [Int32] = []
    private var outputIDs: [Int32] = []
    /// Root transitions as a table: most bytes start no literal.
    private var rootTable = [Int32](repeating: 0, count: 256)
    let count: Int

    /// `literals` must be lower-cased as the texts searched will be.
    init(_ literals: [[UInt8]]) {
        count = literals.count
        // Built as arrays of arrays, then flattened.
        var next: [[(UInt8, Int32)]] = [[]]
        var output: [[Int32]] = [[]]
        for (id, literal) in literals.enumerated() where !literal.isEmpty {
            var state = 0
            for byte in literal {
                if let hit = next[state].first(where: { $0.0 == byte }) {
                    state = Int(hit.1)
                } else {
                    next.append([])
                    fail.append(0)
                    output.append([])
                    let created = Int32(next.count - 1)
                    next[state].append((byte, created))
                    state = Int(created)
                }
            }
            output[state].append(Int32(id))
        }
        for (byte, to) in next[0] { rootTable[Int(byte)] = to }
        let root = rootTable, goto = next
        func step(_ state: Int, _ byte: UInt8) -> Int32? {
            if state == 0 {
                let to = root[Int(byte)]
                return to == 0 ? nil : to
            }
            for (b, to) in goto[state] where b == byte { return to }
            return nil
        }
        // Breadth first: each state's failure is the longest proper suffix that is a state.
        var queue: [Int] = next[0].map { Int($0.1) }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for (byte, child) in next[state] {
                queue.append(Int(child))
                var f = Int(fail[state])
                while f != 0 && step(f, byte) == nil { f = Int(fail[f]) }
                fail[Int(child)] = step(f, byte) ?? 0
                output[Int(child)] += output[Int(fail[Int(child)])]
            }
        }
        for state in next.indices {
            edgeStart.append(Int32(edgeBytes.count))
            for (b, to) in next[state] {
                edgeBytes.append(b)
                edgeTargets.append(to)
            }
            outputStart.append(Int32(outputIDs.count))
            outputIDs += output[state]
        }
        edgeStart.append(Int32(edgeBytes.count))
        outputStart.append(Int32(outputIDs.count))
    }

    /// Marks in `found` (one flag per literal id) every literal the text holds, and appends
    /// each one's id to `hits` the first time it is found.
    func scan(_ text: [UInt8], into found: inout [Bool], hits: inout [Int32]) {
        edgeStart.withUnsafeBufferPointer { edgeStart in
        edgeBytes.withUnsafeBufferPointer { edgeBytes in
        edgeTargets.withUnsafeBufferPointer { edgeTargets in
        fail.withUnsafeBufferPointer { fail in
        outputStart.withUnsafeBufferPointer { outputStart in
        outputIDs.withUnsafeBufferPointer { outputIDs in
        rootTable.withUnsafeBufferPointer { rootTable in
            var state = 0
            for byte in text {
                while true {
                    if state == 0 {
                        state = Int(rootTable[Int(byte)])
                        break
                    }
                    var to: Int32 = -1
                    for e in Int(edgeStart[state])..<Int(edgeStart[state + 1]) where edgeBytes[e] == byte {
                        to = edgeTargets[e]
                        break
                    }
                    if to >= 0 {
                        state = Int(to)
                        break
                    }
                    state = Int(fail[state])
                }
                for k in Int(outputStart[state])..<Int(outputStart[state + 1]) {
                    let id = Int(outputIDs[k])
                    if !found[id] {
                        found[id] = true
                        hits.append(Int32(id))
                    }
                }
            }
        }}}}}}}
    }
}
