/// Many literals found in one pass over a text (Aho-Corasick over bytes): which of them occur
/// anywhere in it. The hunt uses it to skip, in one scan of an event, every rule whose
/// necessary text is not there, so thousands of rules cost little more than a hundred.
struct LiteralSearch: Sendable {
    /// Goto transitions per state: sorted (byte, next) pairs; the root falls back to itself.
    private var next: [[(UInt8, Int32)]] = [[]]
    private var fail: [Int32] = [0]
    /// Literal ids ending at each state, its failure chain's included.
    private var output: [[Int32]] = [[]]
    /// Root transitions as a table: most bytes start no literal.
    private var rootTable = [Int32](repeating: 0, count: 256)
    let count: Int

    /// `literals` must be lower-cased as the texts searched will be.
    init(_ literals: [[UInt8]]) {
        count = literals.count
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
    }

    private func step(_ state: Int, _ byte: UInt8) -> Int32? {
        if state == 0 {
            let to = rootTable[Int(byte)]
            return to == 0 ? nil : to
        }
        for (b, to) in next[state] where b == byte { return to }
        return nil
    }

    /// Marks in `found` (one flag per literal id) every literal the text holds.
    func scan(_ text: [UInt8], into found: inout [Bool]) {
        var state = 0
        for byte in text {
            while true {
                if let to = step(state, byte) {
                    state = Int(to)
                    break
                }
                if state == 0 { break }
                state = Int(fail[state])
            }
            for id in output[state] { found[Int(id)] = true }
        }
    }
}
