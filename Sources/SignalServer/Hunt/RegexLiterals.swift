/// The plain text a regular expression cannot match without: `ipconfig` in `ipconfig\s+/all`,
/// one of `cmd` or `powershell` in `(cmd|powershell)\.exe`. The hunt's pre-filter looks for
/// it like any other rule's literal, so a rule that is only regexes (a quarter of a SigmaHQ
/// hunt's matching, run on every process start) runs only where its text is.
///
/// Conservative by construction: a literal is kept only where every match must hold it, and
/// anything the reader does not understand (`\Q`, comments mode, an odd quantifier) gives no
/// literal at all, so the rule is run as before. Literals are ASCII only and lower-cased, as
/// the event's search text is.
enum RegexLiterals {
    struct Needed: Equatable {
        /// At least one of these is in any text the expression matches (lower-cased).
        var literals: [String]
        /// The expression ignores case (`|re|i`, `(?i)`): ICU then matches across Unicode
        /// case folding (`ſ` for `s`, `ﬀ` for `ff`), which lower-casing does not undo, so the
        /// literal is only certain in all-ASCII text.
        var caseless: Bool
    }

    /// What `pattern` cannot match without, nil when nothing is certain.
    static func needed(_ pattern: String, caseInsensitive: Bool, shortest: Int = 3) -> Needed? {
        var reader = Reader(bytes: Array(pattern.utf8), shortest: shortest)
        guard let literals = try? reader.alternation(), reader.at == reader.bytes.count, !literals.isEmpty else { return nil }
        return Needed(literals: Array(Set(literals)).sorted(), caseless: caseInsensitive || reader.caseless)
    }

    /// ICU's pattern syntax, read only as far as literals need.
    private struct Reader {
        let bytes: [UInt8]
        let shortest: Int
        var at = 0
        /// An inline flag turned case-insensitivity on somewhere.
        var caseless = false

        struct Unreadable: Error {}

        init(bytes: [UInt8], shortest: Int) {
            self.bytes = bytes
            self.shortest = shortest
        }

        var next: UInt8? { at < bytes.count ? bytes[at] : nil }

        /// Branches up to `)` or the end: a text matching one branch holds that branch's
        /// literal, so the union of the branches' sets, when every branch has one.
        mutating func alternation() throws(Unreadable) -> [String]? {
            var union: [String] = []
            var certain = true
            while true {
                if let set = try sequence() { union += set } else { certain = false }
                guard next == UInt8(ascii: "|") else { break }
                at += 1
            }
            return certain ? union : nil
        }

        /// One branch: its atoms one after another. Runs of plain characters are required
        /// text; the strongest requirement (the set whose shortest literal is longest) wins.
        mutating func sequence() throws(Unreadable) -> [String]? {
            var best: [String]?
            var run: [UInt8] = []
            func consider(_ set: [String]?) {
                guard let set, let weakest = set.map(\.utf8.count).min(), weakest >= shortest else { return }
                if best == nil || weakest > (best?.map(\.utf8.count).min() ?? 0) { best = set }
            }
            func endRun() {
                if run.count >= shortest { consider([String(decoding: run, as: UTF8.self)]) }
                run.removeAll()
            }
            /// A plain character and whatever repeats it: required once unless it may be absent.
            func plain(_ c: UInt8) throws(Unreadable) {
                let lower = c >= 65 && c <= 90 ? c | 0x20 : c
                switch try quantifier() {
                case nil:
                    run.append(lower)
                case let least? where least >= 1:
                    run.append(lower)  // once for certain; what follows may not be next to it
                    endRun()
                default:
                    endRun()  // optional: the run before it stands, it does not
                }
            }
            while let c = next, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                at += 1
                switch c {
                case UInt8(ascii: "("):
                    let group = try group()
                    guard next == UInt8(ascii: ")") else { throw Unreadable() }
                    at += 1
                    let least = try quantifier()
                    endRun()
                    if least ?? 1 >= 1 { consider(group) }
                case UInt8(ascii: "["):
                    try skipClass()
                    _ = try quantifier()
                    endRun()
                case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                    _ = try quantifier()
                    endRun()
                case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                    throw Unreadable()  // nothing to repeat: not a pattern read here
                case UInt8(ascii: "\\"):
                    guard let e = next else { throw Unreadable() }
                    at += 1
                    if isAlphanumeric(e) {
                        // A class (\d), an anchor (\b), a code (\x41, \u0041), a property
                        // (\p{L}), a back reference: not plain text. \Q...\E is not read.
                        if e == UInt8(ascii: "Q") { throw Unreadable() }
                        try skipEscapeArgument(e)
                        _ = try quantifier()
                        endRun()
                    } else if e >= 0x80 {
                        _ = try quantifier()
                        endRun()
                    } else {
                        try plain(e)
                    }
                default:
                    if c >= 0x80 {
                        _ = try quantifier()
                        endRun()
                    } else {
                        try plain(c)
                    }
                }
            }
            endRun()
            return best
        }

        /// After `(`: the group's literals, nil when none is certain (a look-around's never
        /// are: it consumes nothing of what it looks at).
        private mutating func group() throws(Unreadable) -> [String]? {
            guard next == UInt8(ascii: "?") else { return try alternation() }
            at += 1
            guard let kind = next else { throw Unreadable() }
            switch kind {
            case UInt8(ascii: ":"), UInt8(ascii: ">"):
                at += 1
                return try alternation()
            case UInt8(ascii: "="), UInt8(ascii: "!"):
                at += 1
                _ = try alternation()
                return nil
            case UInt8(ascii: "<"), UInt8(ascii: "P"):
                at += 1
                if kind == UInt8(ascii: "P") {
                    guard next == UInt8(ascii: "<") else { throw Unreadable() }
                    at += 1
                }
                if kind == UInt8(ascii: "<"), next == UInt8(ascii: "=") || next == UInt8(ascii: "!") {
                    at += 1
                    _ = try alternation()
                    return nil
                }
                while let c = next, c != UInt8(ascii: ">") {
                    guard isAlphanumeric(c) || c == UInt8(ascii: "_") else { throw Unreadable() }
                    at += 1
                }
                guard next == UInt8(ascii: ">") else { throw Unreadable() }
                at += 1
                return try alternation()
            default:
                // Flags: (?i) for the rest, (?i:...) for the group. Comments mode (x) makes
                // spaces and # mean something else: not read.
                var on = true
                while let c = next, c != UInt8(ascii: ")"), c != UInt8(ascii: ":") {
                    switch c {
                    case UInt8(ascii: "-"): on = false
                    case UInt8(ascii: "i"): if on { caseless = true }
                    case UInt8(ascii: "m"), UInt8(ascii: "s"), UInt8(ascii: "w"): break
                    default: throw Unreadable()
                    }
                    at += 1
                }
                guard let end = next else { throw Unreadable() }
                if end == UInt8(ascii: ":") {
                    at += 1
                    return try alternation()
                }
                return nil  // `(?i)` alone matches nothing; its `)` is read by the caller
            }
        }

        /// How many times the atom before must occur at least (nil: no quantifier; exactly once).
        private mutating func quantifier() throws(Unreadable) -> Int? {
            guard let c = next else { return nil }
            let least: Int
            switch c {
            case UInt8(ascii: "?"), UInt8(ascii: "*"):
                at += 1
                least = 0
            case UInt8(ascii: "+"):
                at += 1
                least = 1
            case UInt8(ascii: "{"):
                at += 1
                var n = 0, digits = 0
                while let d = next, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") {
                    n = min(n &* 10 &+ Int(d - UInt8(ascii: "0")), 1_000_000)
                    digits += 1
                    at += 1
                }
                guard digits > 0 else { throw Unreadable() }
                while let d = next, d != UInt8(ascii: "}") {
                    guard d == UInt8(ascii: ",") || (d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9")) else { throw Unreadable() }
                    at += 1
                }
                guard next == UInt8(ascii: "}") else { throw Unreadable() }
                at += 1
                least = n
            default:
                return nil
            }
            if next == UInt8(ascii: "?") || next == UInt8(ascii: "+") { at += 1 }  // lazy, possessive
            return least
        }

        /// After `[`: to just past its `]` (sets nest in ICU: `[a-z&&[^x]]`).
        private mutating func skipClass() throws(Unreadable) {
            var depth = 1
            if next == UInt8(ascii: "^") { at += 1 }
            if next == UInt8(ascii: "]") { at += 1 }  // a leading ] is a member
            while let c = next {
                at += 1
                switch c {
                case UInt8(ascii: "\\"):
                    guard next != nil else { throw Unreadable() }
                    at += 1
                case UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return }
                default: break
                }
            }
            throw Unreadable()
        }

        /// Past the argument of an escape: `\x{..}`, `\p{..}`, `\N{..}`, `\k<..>`, `\xhh`, `\uhhhh`.
        private mutating func skipEscapeArgument(_ e: UInt8) throws(Unreadable) {
            switch e {
            case UInt8(ascii: "x"), UInt8(ascii: "p"), UInt8(ascii: "P"), UInt8(ascii: "N"):
                if next == UInt8(ascii: "{") {
                    while let c = next, c != UInt8(ascii: "}") { at += 1 }
                    guard next == UInt8(ascii: "}") else { throw Unreadable() }
                    at += 1
                } else if e == UInt8(ascii: "x") {
                    at = min(bytes.count, at + 2)
                } else if e != UInt8(ascii: "N") {
                    at = min(bytes.count, at + 1)  // \pL
                }
            case UInt8(ascii: "u"):
                at = min(bytes.count, at + 4)
            case UInt8(ascii: "U"):
                at = min(bytes.count, at + 8)
            case UInt8(ascii: "k"):
                guard next == UInt8(ascii: "<") else { throw Unreadable() }
                while let c = next, c != UInt8(ascii: ">") { at += 1 }
                guard next == UInt8(ascii: ">") else { throw Unreadable() }
                at += 1
            case UInt8(ascii: "c"):
                at = min(bytes.count, at + 1)  // \cX, a control character
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // An octal code (\012) or a back reference (\12): its digits are not text.
                while let d = next, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") { at += 1 }
            default:
                break
            }
        }

        private func isAlphanumeric(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
        }
    }
}
