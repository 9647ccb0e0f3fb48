import Foundation
import Model

/// Filters as one flat program: nodes in pre-order (each knows where its subtree ends), checks
/// and needles in arrays beside them, all plain values. A ruleset's filters share one program
/// (each is a root), so running rule after rule on an event reads the same few arrays.
/// `Matcher` is its public face and documents the semantics; this file only runs them.
struct MatchProgram: Sendable {
    struct Op {
        enum Kind: UInt8 { case all, any, not, always, test, anyField, exists, sameAs }
        var kind: Kind
        /// exists: whether the field must be there; sameAs: compare with case.
        var flag = false
        /// test, exists, sameAs: the innermost of the fields that must be missing or null for
        /// this read to matter (an `all` above it tests them `absent`), -1: none. Declared
        /// here, between the flags and the words, so an op stays 24 bytes.
        var moot: Int32 = -1
        /// One past this node's subtree.
        var end = 0
        /// test, exists, sameAs: the field's slot.
        var slot: Int32 = 0
        /// sameAs: the other field's slot; test and anyField: the check.
        var other: Int32 = 0
    }

    struct Check {
        enum Kind: UInt8 {
            case contains, prefix, suffix, glob
            case equalsText, equalsNumber, equalsBool, equalsNull, oneOf
            case regex, compare, networks, present, absent
        }
        // Words first, flags last: 56 bytes, not 72 with each flag padded to a word. A hunt
        // reads a few checks of each of a dozen rules per event, each read first from memory.
        /// Text checks: the needle's bytes in `needles` (lower-cased unless cased); oneOf: its
        /// equality checks, which follow it; regex: the index in its list; networks: the
        /// networks' (`count` of them from `start`), any of which holds the value.
        var start = 0
        var count = 0
        /// equalsText: the needle as a string (lower-cased unless cased) in `texts`.
        var text = 0
        /// equalsNumber and compare: the number; equalsBool: 1 for true.
        var number = 0.0
        /// The needle's number in the literal search of the event (`numberNeedles`), -1: none.
        var literal: Int32 = -1
        /// A regex: the literals it cannot match without one of (`RegexLiterals`), numbered,
        /// in `regexLiterals` from `literalStart`, `literalCount` of them.
        var literalStart: Int32 = 0
        var literalCount: Int32 = 0
        var kind: Kind
        var cased = false
        /// The needle is all ASCII: equal bytes are equal strings and unequal ones unequal.
        var ascii = true
        var comparison = Comparison.less
        /// The regex's literals are only certain when the search text is all ASCII.
        var literalNeedsASCII = false

        init(kind: Kind, cased: Bool = false, start: Int = 0, count: Int = 0, text: Int = 0, ascii: Bool = true,
             number: Double = 0, comparison: Comparison = .less) {
            (self.kind, self.cased, self.start, self.count, self.text, self.ascii) = (kind, cased, start, count, text, ascii)
            (self.number, self.comparison) = (number, comparison)
        }
    }

    /// Compiled expressions are immutable and may be shared across threads.
    struct Regexes: @unchecked Sendable { var list: [NSRegularExpression] = [] }

    private(set) var ops: [Op] = []
    private(set) var checks: [Check] = []
    private var needles: [UInt8] = []
    private var texts: [String] = []
    private var regexes = Regexes()
    private var networks: [Network] = []
    private(set) var regexLiterals: [Int32] = []

    init() {}

    // MARK: Compiling

    /// Adds a filter; returns its root, which `run` takes. A filter that does not compile
    /// leaves the program as it was.
    mutating func add(_ filter: Filter, fields: inout MatchFields) throws(RuleError) -> Int {
        let counts = (ops.count, checks.count, needles.count, texts.count, regexes.list.count, networks.count)
        do {
            try node(filter, fields: &fields, guards: [])
            return counts.0
        } catch {
            ops.removeSubrange(counts.0...)
            checks.removeSubrange(counts.1...)
            needles.removeSubrange(counts.2...)
            texts.removeSubrange(counts.3...)
            regexes.list.removeSubrange(counts.4...)
            networks.removeSubrange(counts.5...)
            throw error
        }
    }

    /// `guards`: slots of fields that must be missing or null for this part of the filter to
    /// be true (an `all` with an `absent` test of them above it), for `MatchFields.textRead`.
    private mutating func node(_ filter: Filter, fields: inout MatchFields, guards: [Int32]) throws(RuleError) {
        let at = ops.count
        switch filter {
        case .all(let fs):
            ops.append(Op(kind: .all))
            // An `all` is false whatever its other children say unless each field it tests
            // `absent` is missing or null: what they read, they read only then.
            var inner = guards
            for case .test(let field, .absent) in fs { inner.append(fields.slot(field)) }
            for f in fs {
                if case .test(_, .absent) = f { try node(f, fields: &fields, guards: guards) } else { try node(f, fields: &fields, guards: inner) }
            }
        case .any(let fs):
            if let (field, list) = MatchProgram.networkList(fs) {
                // One test of the address against the list (`Check.Kind.networks`), the same
                // answer as a test per network: whether any network holds it.
                let c = try networks(list)
                ops.append(Op(kind: .test, moot: guards.last ?? -1, slot: fields.slot(field), other: c))
                fields.textRead(field, guards: guards)
                break
            }
            ops.append(Op(kind: .any))
            for f in fs { try node(f, fields: &fields, guards: guards) }
        case .not(let f):
            ops.append(Op(kind: .not))
            try node(f, fields: &fields, guards: guards)
        case .always:
            ops.append(Op(kind: .always))
        case .sameAs(let a, let b, let cased):
            ops.append(Op(kind: .sameAs, flag: cased ?? false, moot: guards.last ?? -1, slot: fields.slot(a), other: fields.slot(b)))
        case .anyField(let test):
            let c = try check(test)
            ops.append(Op(kind: .anyField, other: c))
        case .test(let field, .exists(let b)):
            ops.append(Op(kind: .exists, flag: b, moot: guards.last ?? -1, slot: fields.slot(field)))
        case .test(let field, let test):
            let c = try check(test)
            ops.append(Op(kind: .test, moot: guards.last ?? -1, slot: fields.slot(field), other: c))
            switch test {
            case .present, .absent, .exists: break
            default: fields.textRead(field, guards: guards)
            }
        }
        ops[at].end = ops.count
    }

    /// The field and networks of an `any` of two or more `|cidr` tests of one field (a Sigma
    /// `|cidr` list), nil for any other `any`.
    private static func networkList(_ fs: [Filter]) -> (field: String, networks: [String])? {
        guard fs.count > 1, case .test(let field, .inCIDR) = fs[0] else { return nil }
        var list: [String] = []
        for f in fs {
            guard case .test(field, .inCIDR(let text)) = f else { return nil }
            list.append(text)
        }
        return (field, list)
    }

    /// A check of whether any of the networks holds the value (one network: a `|cidr` test).
    private mutating func networks(_ list: [String]) throws(RuleError) -> Int32 {
        let at = Int32(checks.count), start = networks.count
        for text in list {
            guard let network = Network(text) else {
                throw RuleError(message: "'\(text)' is not a network; write it as 10.0.0.0/8 or 2001:db8::/32")
            }
            networks.append(network)
        }
        checks.append(Check(kind: .networks, start: start, count: list.count))
        return at
    }

    private mutating func check(_ test: Test) throws(RuleError) -> Int32 {
        let at = Int32(checks.count)
        switch test {
        case .equals(let v, let cased): equality(v, cased: cased)
        case .contains(let s, let cased): needle(.contains, s, cased: cased)
        case .startsWith(let s, let cased): needle(.prefix, s, cased: cased)
        case .endsWith(let s, let cased): needle(.suffix, s, cased: cased)
        case .glob(let s, let cased): needle(.glob, s, cased: cased)
        case .regex(let pattern, let insensitive):
            do {
                regexes.list.append(try NSRegularExpression(pattern: pattern, options: insensitive ? [.caseInsensitive] : []))
            } catch {
                throw RuleError(message: "'\(pattern)' is not a valid regular expression")
            }
            checks.append(Check(kind: .regex, start: regexes.list.count - 1))
        case .compare(let op, let n):
            checks.append(Check(kind: .compare, number: n, comparison: op))
        case .inCIDR(let text):
            _ = try networks([text])
        case .oneOf(let values, let cased):
            checks.append(Check(kind: .oneOf))
            let first = checks.count
            for v in values { equality(v, cased: cased) }
            checks[Int(at)].start = first
            checks[Int(at)].count = values.count
        case .present: checks.append(Check(kind: .present))
        case .absent: checks.append(Check(kind: .absent))
        case .exists(let b): checks.append(Check(kind: b ? .present : .absent))  // as a field's check: null is missing
        }
        return at
    }

    private mutating func needle(_ kind: Check.Kind, _ s: String, cased: Bool) {
        let bytes = Array((cased ? s : s.lowercased()).utf8)
        checks.append(Check(kind: kind, cased: cased, start: needles.count, count: bytes.count, ascii: bytes.allSatisfy { $0 < 0x80 }))
        needles += bytes
    }

    private mutating func equality(_ v: FilterValue, cased: Bool) {
        switch v {
        case .null: checks.append(Check(kind: .equalsNull))
        case .bool(let b): checks.append(Check(kind: .equalsBool, number: b ? 1 : 0))
        case .number(let n): checks.append(Check(kind: .equalsNumber, number: n))
        case .text(let t):
            let text = cased ? t : t.lowercased()
            let bytes = Array(text.utf8)
            checks.append(Check(kind: .equalsText, cased: cased, start: needles.count, count: bytes.count,
                                text: texts.count, ascii: bytes.allSatisfy { $0 < 0x80 }))
            needles += bytes
            texts.append(text)
        }
    }

    /// Gives each case-insensitive needle of a contains, prefix, suffix or equality test the
    /// literal number `number` has for it, if any: an event whose search text
    /// (`MatchEvent.searchText`, every value lower-cased) was scanned for those literals fails
    /// such a test at once when its needle was not found, since a value holding the needle
    /// puts it in that text.
    ///
    /// A keyword's check (it reads every field) is numbered as a keyword's literal (`number`'s
    /// second argument true), a field test's as a field's.
    mutating func numberNeedles(_ number: ([UInt8], _ keyword: Bool) -> Int32?) {
        var keyword = [Bool](repeating: false, count: checks.count)
        for op in ops where op.kind == .anyField {
            let c = Int(op.other)
            keyword[c] = true
            if checks[c].kind == .oneOf { for k in checks[c].start..<(checks[c].start + checks[c].count) { keyword[k] = true } }
        }
        for i in checks.indices {
            let c = checks[i]
            switch c.kind {
            case .contains, .prefix, .suffix, .equalsText:
                guard !c.cased, let id = number(Array(needles[c.start..<(c.start + c.count)]), keyword[i]) else { continue }
                checks[i].literal = id
            case .regex:
                let regex = regexes.list[c.start]
                guard let needed = RegexLiterals.needed(regex.pattern, caseInsensitive: regex.options.contains(.caseInsensitive), shortest: 1)
                else { continue }
                let ids = needed.literals.compactMap { number(Array($0.utf8), keyword[i]) }
                guard ids.count == needed.literals.count else { continue }  // one not numbered: nothing is certain
                checks[i].literalStart = Int32(regexLiterals.count)
                checks[i].literalCount = Int32(ids.count)
                checks[i].literalNeedsASCII = needed.caseless
                regexLiterals += ids
            default:
                continue
            }
        }
    }

    /// The literal numbers (`numberNeedles`) the checks of the filter at `root` read: a search
    /// that feeds its events must look for each of them, or the checks take them as absent.
    func literalIDs(_ root: Int) -> [Int32] {
        var out: [Int32] = []
        func collect(_ c: Int) {
            let check = checks[c]
            if check.literal >= 0 { out.append(check.literal) }
            let from = Int(check.literalStart)
            out += regexLiterals[from..<(from + Int(check.literalCount))]
            if check.kind == .oneOf { for k in check.start..<(check.start + check.count) { collect(k) } }
        }
        for op in ops[root..<ops[root].end] where op.kind == .test || op.kind == .anyField { collect(Int(op.other)) }
        return out
    }

    // MARK: What a filter reads

    /// One field a filter reads, for remembering its answers by the values it read (`RuleMemo`).
    struct Read: Equatable {
        var slot: Int32
        /// Whether a test reads its value; false: only whether it is there, and null.
        var value: Bool
        /// A slot that makes every read of this one moot when its field is there and not
        /// null (each read is under an `all` with an `absent` test of it: `SigmaOwnFields`'
        /// mapped name, read only when the own one is missing); -1: none.
        var moot: Int32
    }

    /// The fields the filter at `root` reads, each once; nil when it reads every field (a
    /// keyword). Its answer is the same for two events whose reads find the same: each test's
    /// answer is its field's, and an `all` with an `absent` test of a field that is there is
    /// false whatever its other children read.
    func reads(_ root: Int) -> [Read]? {
        var out: [Read] = []
        func read(_ slot: Int32, value: Bool, moot: Int32) {
            guard let k = out.firstIndex(where: { $0.slot == slot }) else {
                out.append(Read(slot: slot, value: value, moot: moot))
                return
            }
            out[k].value = out[k].value || value
            if out[k].moot != moot { out[k].moot = -1 }  // moot only if every read of it is
        }
        // Each op knows its own guard (`node`), so the subtree is read in order.
        for op in ops[root..<ops[root].end] {
            switch op.kind {
            case .all, .any, .not, .always: break
            case .exists: read(op.slot, value: false, moot: op.moot)
            case .test:
                let kind = checks[Int(op.other)].kind
                read(op.slot, value: kind != .present && kind != .absent, moot: op.moot)
            case .sameAs:
                read(op.slot, value: true, moot: op.moot)
                read(op.other, value: true, moot: op.moot)
            case .anyField: return nil
            }
        }
        return out
    }

    /// The parts of the filter at `root` whose answers are remembered one by one (`RuleIndex`):
    /// an `all`'s children, in the order `node` runs them, or the filter whole.
    func parts(_ root: Int) -> [Int] {
        guard ops[root].kind == .all else { return [root] }
        var out: [Int] = []
        var c = root + 1
        while c < ops[root].end {
            out.append(c)
            c = ops[c].end
        }
        return out.count > 1 ? out : [root]
    }

    /// What the filter at `root` reads of fields an event's format derives from its other
    /// fields (`derived` says which slots name such fields), for matching events that do not
    /// have them yet (`RuleIndex.matchesLeavingOutDerived`). `always`: the filter may read
    /// one whatever else the event holds (a test of it not under an `absent` test of another
    /// field, or a keyword that may find in it what it finds nowhere else). Otherwise the
    /// derived fields it reads, each with the field whose absence alone lets it be read
    /// (`Op.moot`): while that one is there and not null, the derived field changes nothing of
    /// the answer.
    func derivedReads(_ root: Int, derived: (Int32) -> Bool) -> (always: Bool, reads: [(slot: Int32, moot: Int32)]) {
        var reads: [(slot: Int32, moot: Int32)] = []
        for op in ops[root..<ops[root].end] {
            let slots: [Int32]
            switch op.kind {
            case .all, .any, .not, .always: continue
            case .exists, .test: slots = [op.slot]
            case .sameAs: slots = [op.slot, op.other]
            case .anyField:
                if !findsNothingDerived(checks[Int(op.other)]) { return (true, []) }
                continue
            }
            for slot in slots where derived(slot) {
                if op.moot < 0 { return (true, []) }
                if !reads.contains(where: { $0 == (slot, op.moot) }) { reads.append((slot, op.moot)) }
            }
        }
        return (false, reads)
    }

    /// Bytes of the text of a number or a boolean (`stringValue`: digits, sign, point,
    /// exponent, `inf`, `nan`, `true`, `false`).
    private static let numberTextBytes = Set("0123456789+-.aefilnrstu".utf8)

    /// Whether a keyword's check finds nothing in a derived value that it does not find in a
    /// value the event holds as text. A derived value is one of the event's values, a part of
    /// one (`CORP\jdoe`'s `jdoe`, a path's file name), either lower-cased, or the text of a
    /// value it holds as a number or boolean, which keywords do not read (`WindowsECS`). A
    /// case-insensitive `contains` of ASCII needle in a part is in the whole too, and a needle
    /// with a byte no number's text has is in no such text. Any other check (equality, a
    /// prefix, a regex) may hold of a part and not of its whole.
    private func findsNothingDerived(_ check: Check) -> Bool {
        guard check.kind == .contains, !check.cased, check.ascii, check.count > 0 else { return false }
        return needles[check.start..<(check.start + check.count)].contains { !MatchProgram.numberTextBytes.contains($0) }
    }

    // MARK: Running

    /// Whether the filter at `root` matches the event.
    func run(_ root: Int, _ event: inout MatchEvent) -> Bool {
        running { $0.node(root, &event) }
    }

    /// `body` with the program's arrays open as buffers, to run many roots on one event.
    func running<R>(_ body: (Run) -> R) -> R {
        ops.withUnsafeBufferPointer { ops in
            checks.withUnsafeBufferPointer { checks in
                needles.withUnsafeBufferPointer { needles in
                    body(Run(program: self, ops: ops, checks: checks, needles: needles))
                }
            }
        }
    }

    /// One run's view of the program, its arrays as buffers.
    struct Run {
        let program: MatchProgram
        let ops: UnsafeBufferPointer<Op>
        let checks: UnsafeBufferPointer<Check>
        let needles: UnsafeBufferPointer<UInt8>

        func node(_ i: Int, _ e: inout MatchEvent) -> Bool {
            let op = ops[i]
            switch op.kind {
            case .all:
                var c = i + 1
                while c < op.end {
                    if !node(c, &e) { return false }
                    c = ops[c].end
                }
                return true
            case .any:
                var c = i + 1
                while c < op.end {
                    if node(c, &e) { return true }
                    c = ops[c].end
                }
                return false
            case .not:
                return !node(i + 1, &e)
            case .always:
                return true
            case .exists:
                return (e.position(op.slot) != nil) == op.flag
            case .sameAs:
                guard let p = e.position(op.slot), let q = e.position(op.other) else { return false }
                guard let x = value(e.fields.value(at: p)), let y = value(e.fields.value(at: q)) else { return false }
                if x == y { return true }
                guard let s = x.stringValue, let t = y.stringValue else { return false }
                return op.flag ? s == t : s.lowercased() == t.lowercased()
            case .anyField:
                // Text only: a keyword is a string, and `22` in a port number is not a word of the event.
                let check = checks[Int(op.other)]
                for p in 0..<e.fields.count {
                    if let span = e.lowered(p) {
                        if string(check, span, &e) ?? passes(check, e.fields.value(at: p)) { return true }
                    } else if case .array(let items) = e.fields.value(at: p) {
                        for item in items {
                            if case .string = item, passes(check, item) { return true }
                        }
                    }
                }
                return false
            case .test:
                let check = checks[Int(op.other)]
                guard let p = e.position(op.slot) else { return check.kind == .absent || check.kind == .equalsNull }
                if check.kind == .regex, !e.holds(check, program.regexLiterals) { return false }
                if let span = e.lowered(p), let answer = string(check, span, &e) { return answer }
                return passes(check, value(e.fields.value(at: p)))
            }
        }

        /// A check on a string value from its lower-cased bytes alone; nil when the check needs
        /// the value as written (cased, regex, numbers) or a Unicode comparison.
        private func string(_ check: Check, _ span: MatchEvent.Span, _ e: inout MatchEvent) -> Bool? {
            switch check.kind {
            case .present: return true
            case .absent, .equalsNull: return false
            case .contains, .prefix, .suffix, .glob, .equalsText, .oneOf: break
            default: return nil
            }
            return e.text.withUnsafeBufferPointer { text in
                let hay = UnsafeBufferPointer(rebasing: text[span.start..<(span.start + span.count)])
                let count = e.literalsFound.count
                return e.literalsFound.words.withUnsafeBufferPointer { found in
                    lowered(check, hay, ascii: span.ascii, found: found, count: count)
                }
            }
        }

        private func lowered(_ check: Check, _ hay: UnsafeBufferPointer<UInt8>, ascii: Bool, found: UnsafeBufferPointer<UInt64>, count: Int) -> Bool? {
            if check.cased { return nil }
            // The needle is not anywhere in the event's text, so not in this value either
            // (an equality only when bytes decide it: both sides ASCII).
            if LiteralFlags.absent(Int(check.literal), in: found, count: count),
               check.kind != .equalsText || (ascii && check.ascii) {
                return false
            }
            switch check.kind {
            case .contains: return Bytes.contains(hay, needle(check))
            case .prefix: return Bytes.hasPrefix(hay, needle(check))
            case .suffix: return Bytes.hasSuffix(hay, needle(check))
            case .glob: return Glob.matches(hay, needle(check))
            case .equalsText:
                guard ascii && check.ascii else { return nil }
                return Bytes.equal(hay, needle(check))
            case .equalsNull, .equalsBool, .equalsNumber:
                return check.kind == .equalsNull ? false : nil
            case .oneOf:
                for k in check.start..<(check.start + check.count) {
                    guard let answer = lowered(checks[k], hay, ascii: ascii, found: found, count: count) else { return nil }
                    if answer { return true }
                }
                return false
            default:
                return nil
            }
        }

        private func needle(_ check: Check) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: needles[check.start..<(check.start + check.count)])
        }

        private func value(_ v: JSONValue) -> JSONValue? {
            if case .null = v { return nil }
            return v
        }

        /// The check on any value, as written.
        private func passes(_ check: Check, _ v: JSONValue?) -> Bool {
            switch check.kind {
            case .present: return v != nil
            case .absent, .equalsNull: return v == nil
            default: break
            }
            guard let v else { return false }
            if case .array(let items) = v { return items.contains { passes(check, value($0)) } }
            switch check.kind {
            case .equalsText, .equalsNumber, .equalsBool: return equal(v, check)
            case .oneOf: return (check.start..<(check.start + check.count)).contains { equal(v, checks[$0]) }
            case .contains, .prefix, .suffix, .glob:
                guard let s = v.stringValue else { return false }
                let hay = check.cased ? Array(s.utf8) : Matcher.lowered(s)
                return hay.withUnsafeBufferPointer { hay in
                    switch check.kind {
                    case .contains: return Bytes.contains(hay, needle(check))
                    case .prefix: return Bytes.hasPrefix(hay, needle(check))
                    case .suffix: return Bytes.hasSuffix(hay, needle(check))
                    default: return Glob.matches(hay, needle(check))
                    }
                }
            case .regex:
                guard let s = v.stringValue else { return false }
                return program.regexes.list[check.start].firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            case .compare:
                guard let n = number(v) else { return false }
                switch check.comparison {
                case .less: return n < check.number
                case .lessOrEqual: return n <= check.number
                case .greater: return n > check.number
                case .greaterOrEqual: return n >= check.number
                }
            case .networks:
                guard let s = v.stringValue else { return false }
                return Network.anyContains(program.networks[check.start..<(check.start + check.count)], s)
            case .present, .absent, .equalsNull: return true  // answered above
            }
        }

        private func number(_ v: JSONValue) -> Double? {
            switch v {
            case .int(let i): return Double(i)
            case .double(let d): return d
            case .string(let s): return Double(s.trimmed)
            default: return nil
            }
        }

        private func equal(_ v: JSONValue, _ check: Check) -> Bool {
            switch check.kind {
            case .equalsBool:
                let b = check.number != 0
                if case .bool(let x) = v { return x == b }
                return v.stringValue?.lowercased() == (b ? "true" : "false")
            case .equalsNumber: return number(v) == check.number
            case .equalsText:
                guard let s = v.stringValue else { return false }
                let t = program.texts[check.text]
                return check.cased ? s == t : s.lowercased() == t
            default: return false
            }
        }
    }
}
