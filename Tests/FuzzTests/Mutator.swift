import Foundation

/// A deterministic mutation fuzzer: the same seed gives the same mutants on every machine, so a
/// failure in CI is a failure here. Mutations are the damage real inputs carry (a flipped bit, a
/// cut transfer, NULs, Latin-1 in UTF-8, a counter that wrapped) and the shapes attackers send
/// (huge numbers, deep nesting, endless lines).
struct Mutator {
    /// SplitMix64: tiny, fast, and good enough to pick mutations.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    var random: Random
    init(seed: UInt64) { random = Random(state: seed) }

    /// Numbers that break arithmetic: past Int64, negative, exponent overflows, NaN spellings.
    static let hugeNumbers = [
        "99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e999", "-1e999",
        "1e308", "NaN", "Infinity", "0.0000000000000000000000001", "999999999", "-1", "18446744073709551616",
        "99999999999999999d", "9999999999999999s", "10000-01-01T00:00:00Z", "2026-02-30T25:61:61+99:99",
    ]

    /// Texts that are not what they claim: invalid UTF-8, NULs, control characters, BOMs.
    static let badBytes: [[UInt8]] = [
        [0x00], [0x00, 0x00, 0x00], [0xC3, 0x28], [0xFF, 0xFE], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF],
        [0x1B, 0x5B, 0x32, 0x4A], [0x0D], [0x0A, 0x0A, 0x0A], [0x5C], [0x22], [0x7C, 0x7C, 0x7C], [0x3D, 0x3D], [0xC0, 0x80],
    ]

    /// One mutant of `input`: one to three mutations stacked.
    mutating func mutate(_ input: [UInt8], with others: [[UInt8]] = []) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + random.below(3)) { bytes = mutateOnce(bytes, others: others) }
        return bytes
    }

    private mutating func mutateOnce(_ input: [UInt8], others: [[UInt8]]) -> [UInt8] {
        var b = input
        let at = random.below(b.count + 1)
        switch random.below(14) {
        case 0 where !b.isEmpty:  // flip a bit
            let i = random.below(b.count)
            b[i] ^= UInt8(1 << random.below(8))
        case 1:  // truncate
            b = Array(b.prefix(at))
        case 2:  // bad bytes
            b.insert(contentsOf: random.pick(Mutator.badBytes), at: at)
        case 3:  // replace a run of digits with a huge number
            if let run = digitRun(in: b) {
                b.replaceSubrange(run, with: Array(random.pick(Mutator.hugeNumbers).utf8))
            } else {
                b.insert(contentsOf: Array(random.pick(Mutator.hugeNumbers).utf8), at: at)
            }
        case 4:  // deep nesting
            let depth = 100 + random.below(20_000)
            let open: [UInt8] = random.below(2) == 0 ? Array("[".utf8) : Array("{\"a\":".utf8)
            var nest: [UInt8] = []
            nest.reserveCapacity(depth * open.count)
            for _ in 0..<depth { nest += open }
            b.insert(contentsOf: nest, at: at)
        case 5:  // a long line
            b.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "A"), count: 1000 + random.below(300_000)), at: at)
        case 6 where !b.isEmpty:  // delete a slice
            let end = min(b.count, at + 1 + random.below(64))
            if at < end { b.removeSubrange(at..<end) }
        case 7 where !b.isEmpty:  // duplicate a slice
            let start = random.below(b.count)
            let end = min(b.count, start + 1 + random.below(256))
            b.insert(contentsOf: b[start..<end], at: at)
        case 8 where !others.isEmpty:  // splice in part of another input
            let other = random.pick(others)
            if !other.isEmpty {
                let start = random.below(other.count)
                b.insert(contentsOf: other[start..<min(other.count, start + 1 + random.below(512))], at: at)
            }
        case 9 where !b.isEmpty:  // overwrite a byte with a structural character
            b[random.below(b.count)] = random.pick(Array("{}[]\",:|=\\\n\r\t<>;@%".utf8))
        case 10:  // drop every line break, or double them
            b = random.below(2) == 0 ? b.filter { $0 != 10 } : b.flatMap { $0 == 10 ? [10, 10] : [$0] }
        case 11 where !b.isEmpty:  // swap two halves
            let mid = random.below(b.count)
            b = Array(b[mid...] + b[..<mid])
        case 12:  // repeat the whole input (many records, duplicates)
            b = b + [10] + b
        default:  // NULs
            b.insert(contentsOf: [UInt8](repeating: 0, count: 1 + random.below(8)), at: at)
        }
        return b
    }

    /// A random run of ASCII digits in `b`, if it has one.
    private mutating func digitRun(in b: [UInt8]) -> Range<Int>? {
        guard !b.isEmpty else { return nil }
        var i = random.below(b.count)
        for _ in 0..<b.count {
            if b[i] >= 48 && b[i] <= 57 {
                var start = i, end = i
                while start > 0, b[start - 1] >= 48, b[start - 1] <= 57 { start -= 1 }
                while end < b.count, b[end] >= 48, b[end] <= 57 { end += 1 }
                return start..<end
            }
            i = (i + 1) % b.count
        }
        return nil
    }
}

/// How many mutants a fuzz test makes: a quick run in `make test`, `TASER_FUZZ_SCALE` times more
/// in `make fuzz`.
enum FuzzBudget {
    static let scale: Int = {
        let text = ProcessInfo.processInfo.environment["TASER_FUZZ_SCALE"] ?? "1"
        return max(1, min(Int(text) ?? 1, 10_000))
    }()

    static func mutants(_ quick: Int) -> Int { quick * scale }

    /// The seed of this run: fixed, so CI and a developer see the same mutants, unless
    /// `TASER_FUZZ_SEED` asks for another sequence (`make fuzz` takes the date).
    static let seed: UInt64 = UInt64(ProcessInfo.processInfo.environment["TASER_FUZZ_SEED"] ?? "") ?? 12

    /// Where the mutant in hand is written before it is tried, one file per fuzz test (they run
    /// in parallel): if it crashes the process, that file is the reproducer, and the `.name` file
    /// beside it says what it was made from.
    static func lastMutant(_ test: String) -> String { NSTemporaryDirectory() + "taser-fuzz-\(test)" }

    static func keep(_ bytes: [UInt8], test: String, name: String) {
        // Plain writes: FileManager.createFile writes atomically and fsyncs, which at thousands
        // of mutants costs more than the fuzzing. A crash leaves what was written in the page
        // cache, which is all a reproducer needs.
        write(bytes, to: lastMutant(test))
        write(Array(name.utf8), to: lastMutant(test) + ".name")
    }

    private static func write(_ bytes: [UInt8], to path: String) {
        guard let file = fopen(path, "w") else { return }
        defer { fclose(file) }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    }
}
