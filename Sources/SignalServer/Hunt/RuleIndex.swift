import Model

/// Single-event rules (Sigma detections) arranged so that an event is tested only against the
/// rules that could match it: by the event's kind (the logsource), by text, and by its EventID
/// when a rule names some. Each rule's necessary literals (strings the rule cannot match
/// without) are looked for, for all rules at once, in one scan of the event's text
/// (`LiteralSearch`); the literals found name the rules to run, so a rule whose text is absent
/// costs nothing, not even a look. What survives is run by the matcher, so the index changes
/// how much work is done, never what matches (tests compare it with running every rule).
public struct RuleIndex: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var rule: Rule
    }

    public private(set) var entries: [Entry] = []
    // What matching reads per entry is in flat arrays of plain values, not in the entries:
    // reading a struct that holds arrays out of an array retains each of them, which for a
    // thousand candidate rules per event cost more than the matching itself.
    /// Every rule's filter, in one program; per entry, its root.
    private var program = MatchProgram()
    private var roots: [Int] = []
    /// Per entry, the parts its answer is remembered by (`RuleMemo`), from `partStart[entry]`
    /// to the next entry's: its filter's root, or when that is an `all`, each of its children
    /// (`MatchProgram.parts`), run in turn until one is false. Remembered whole, a rule whose
    /// selection reads a port and its filters an address (new in most events) was run at
    /// every event its selection ruled out; by parts, the selection's answer is found and the
    /// rest is not asked. Per part, its root (`partRoots`) and the fields it reads
    /// (`MatchProgram.reads`), in `partReads` (start, count; `.none` when it reads every
    /// field or more than a key holds). One array for all, not a list per part: each part's
    /// list, read out of the array of lists, was retained and released, and its storage was
    /// one more place in memory to wait for. A part's number is its rule's in the memo's keys.
    private var partStart: [Int32] = []
    private var partRoots: [Int32] = []
    private var partReadRanges: [Range] = []
    private var partReads: [MatchProgram.Read] = []
    /// Per entry, its EventIDs in `eventIDs` (start, count); count -1: any EventID.
    private var eventIDRanges: [Range] = []
    private var eventIDs: [Int64] = []
    /// The fields every rule reads, one slot each, so an event finds each once.
    private var fields: MatchFields
    /// How many necessary literals the rules have (numbered across all kinds).
    private let literals: Int
    /// Per kind, its rules (boxed: the struct's dozen arrays were each retained and released
    /// when an event's lookup copied it out of the dictionary).
    private var byKind: [String: Kind] { didSet { kindsOwner = KindsOwner() } }
    /// Names `byKind` as a cache's memo of it knows it (`kind(_:cache:)`): made again whenever
    /// `byKind` is.
    private var kindsOwner = KindsOwner()
    final class KindsOwner: Sendable {}

    /// A kind's rules. (Not private, for a cache to hold: `LiteralCache.KindMemo`.)
    final class Kind: Sendable {
        fileprivate let index: KindIndex
        /// What its rules read of the fields `expectingDerived` named; nil: not told.
        fileprivate let derived: DerivedBox?
        fileprivate init(_ index: KindIndex, derived: DerivedReads? = nil) {
            self.index = index
            self.derived = derived.map(DerivedBox.init)
        }
    }

    /// `DerivedReads` as an event reads them: in a class of `let`s, read in place. (A struct
    /// in a class, even a `let`, was copied out for each event, each array retained and
    /// released; a class of `var`s checks exclusive access at every read.)
    fileprivate final class DerivedBox: Sendable {
        let always: Bool
        let anyID: Range
        let byID: [Int64: Range]
        let fields: [DerivedReads.DerivedField]
        let moots: [Int32]
        let sources: [Int32]
        let sourceBits: [JSONKeyBits]
        let sourceEventIDs: [Int64]

        init(_ reads: DerivedReads) {
            (always, anyID, byID, fields) = (reads.always, reads.anyID, reads.byID, reads.fields)
            (moots, sources, sourceBits, sourceEventIDs) = (reads.moots, reads.sources, reads.sourceBits, reads.sourceEventIDs)
        }

        /// Whether the event, its derived fields left out, may be answered otherwise with them.
        func mayMatter(to event: inout MatchEvent, eventID: Int64?) -> Bool {
            if always { return true }
            if mayMatter(anyID, to: &event, eventID: eventID) { return true }
            guard let id = eventID, let own = byID[id] else { return false }
            return mayMatter(own, to: &event, eventID: id)
        }

        private func mayMatter(_ list: Range, to event: inout MatchEvent, eventID: Int64?) -> Bool {
            for f in Int(list.start)..<Int(list.start + list.count) {
                let field = fields[f]
                // The moots first: rules read them too, so what finding them costs is shared.
                var open = false
                for m in Int(field.moots.start)..<Int(field.moots.start + field.moots.count) where !event.holdsValue(moots[m]) {
                    open = true
                    break
                }
                guard open else { continue }
                for s in Int(field.sources.start)..<Int(field.sources.start + field.sources.count) {
                    let id = sourceEventIDs[s]
                    if (id == Int64.min || id == eventID) && event.fields.mayHold(all: sourceBits[s]) && event.position(sources[s]) != nil {
                        return true
                    }
                }
            }
            return false
        }
    }

    /// What a kind's rules read of fields derived from an event's others
    /// (`MatchProgram.derivedReads`), in plain values: per derived field read, where any of
    /// its moots (slots) is missing or null and the event has any of its sources (slots, each
    /// counting on events of its EventID or any), the field may change an answer. First the
    /// fields rules for any EventID read, then per EventID those its rules read (an event is
    /// matched only by its own).
    fileprivate struct DerivedReads {
        var always = false
        var anyID = Range(start: 0, count: 0)
        var byID: [Int64: Range] = [:]
        var fields: [DerivedField] = []
        var moots: [Int32] = []
        var sources: [Int32] = []
        /// Per source, its key's bits, to pass over one the event lacks without a look-up.
        var sourceBits: [JSONKeyBits] = []
        /// Per source, the EventID it counts on; `Int64.min`: any.
        var sourceEventIDs: [Int64] = []

        struct DerivedField {
            var moots: Range
            var sources: Range
        }

        /// Adds a list of what rules read of derived fields (`MatchProgram.derivedReads`), each
        /// field once with every moot it is read under, and gives its range in `fields`.
        mutating func append(
            _ reads: [(slot: Int32, moot: Int32)], table: inout MatchFields, sources from: [String: [DerivedSource]]
        ) -> Range {
            var order: [Int32] = [], mootsOf: [Int32: [Int32]] = [:]
            for (slot, moot) in reads {
                if mootsOf[slot] == nil { order.append(slot) }
                if mootsOf[slot]?.contains(moot) != true { mootsOf[slot, default: []].append(moot) }
            }
            let start = Int32(fields.count)
            for slot in order {
                let m = mootsOf[slot] ?? [], mootStart = Int32(moots.count), sourceStart = Int32(sources.count)
                moots += m
                for source in from[table.names[Int(slot)]] ?? [] {
                    sources.append(table.slot(source.field))
                    sourceBits.append(JSONKeyBits([source.field]))
                    sourceEventIDs.append(source.eventID ?? Int64.min)
                }
                fields.append(DerivedField(
                    moots: Range(start: mootStart, count: Int32(m.count)),
                    sources: Range(start: sourceStart, count: Int32(sources.count) - sourceStart)))
            }
            return Range(start: start, count: Int32(fields.count) - start)
        }
    }

    fileprivate struct Range: Equatable {
        var start: Int32
        var count: Int32
        static let none = Range(start: 0, count: -1)
    }

    /// An entry as posted under each literal of one of its clauses: all that deciding
    /// whether it is a candidate reads, in one run of `Int32`s in its kind's `postings`.
    /// An event's hits read their postings in order, where reading three tables at random
    /// (the entry's other clauses, where they start, its EventIDs) was a likely cache miss
    /// each, and the candidates' walk waited on them more than it computed.
    ///
    /// A record: its length (this word included), the entry, its EventIDs (their count,
    /// then each; -1: any EventID; -2: one does not fit 32 bits, asked of `takes`), then each
    /// of its other clauses as the words of `LiteralFlags` its literals' flags are in: their
    /// count, then per word its index and the mask of those flags (low half, high half). A
    /// clause's literals are numbered one after another (ids are given rule by rule), so a
    /// clause of twenty needles is a word or two to test, where it was twenty flags.
    ///
    /// Why other clauses: a rule posted under each clause's literals was looked at whenever
    /// any of them was found, and `\windows\` or `.exe` (in most events) named hundreds of
    /// rules for one with something rarer. Posted under one clause alone (the one whose
    /// literals fewest rules share), a rule is looked at only when that clause has a literal
    /// found, and its other clauses are then asked of the event's flags.
    fileprivate enum Posting {
        static let anyEventID: Int32 = -1, askTakes: Int32 = -2

        static func record(entry: Int, eventIDs: ArraySlice<Int64>?, others: ArraySlice<Int32>) -> [Int32] {
            var ids: [Int32] = [anyEventID]
            if let eventIDs {
                let narrow = eventIDs.compactMap { Int32(exactly: $0) }
                ids = narrow.count == eventIDs.count ? [Int32(narrow.count)] + narrow : [askTakes]
            }
            return [Int32(2 + ids.count + others.count), Int32(entry)] + ids + others
        }

        /// A clause as a record holds it: the count of `LiteralFlags` words its literals' flags
        /// are in, then per word (in order of first use) its index and the mask of those flags,
        /// low half then high half. Made once per entry, however many literals post it.
        static func clause(_ literals: [Int]) -> [Int32] {
            var words: [(word: Int32, mask: UInt64)] = []
            for id in literals {
                let word = Int32(truncatingIfNeeded: id >> 6), bit: UInt64 = 1 << UInt64(id & 63)
                if let w = words.firstIndex(where: { $0.word == word }) { words[w].mask |= bit } else { words.append((word, bit)) }
            }
            return [Int32(words.count)] + words.flatMap {
                [$0.word, Int32(bitPattern: UInt32(truncatingIfNeeded: $0.mask)), Int32(bitPattern: UInt32(truncatingIfNeeded: $0.mask >> 32))]
            }
        }
    }

    /// The rules of one kind.
    fileprivate struct KindIndex {
        /// Every entry of the kind, in index order.
        var entries: [Int] = []
        /// Entries that need no literal, run on every event of the kind with their EventIDs:
        /// apart by EventID, so an event takes its own without a look at the others (those
        /// for any EventID, and per EventID those that require it).
        var alwaysAnyID: [Int32] = []
        var alwaysByID: [Int64: [Int32]] = [:]
        /// Entries with clauses: a candidate once each clause has one of its literals found.
        /// (Those are posted under their literals: `postings`.)
        /// Entries whose literals are only certain in all-ASCII text: run on every event of
        /// the kind whose search text is not.
        var caseless: [Int32] = []
        /// Some entry needs a keyword's literal: look for those in every field.
        var keywords = false
        /// Per literal its searches look for (numbered across all kinds, from `postingBase`):
        /// the kind's entries posted under it, a `Posting` record each, in `postings` from
        /// `postingStart[id - postingBase]` to the next start. Per kind, so an event walks only
        /// its own kind's rules (a literal such as `\powershell.exe` is in rules of a dozen
        /// kinds); from the kind's lowest literal to its highest, not over all 26,000.
        var postingBase = 0
        var postingStart: [Int32] = []
        var postings: [Int32] = []
        /// The kind's rules' necessary literals, found in one scan of the text of the fields
        /// tests read: a search per kind, as each is a fraction of all, so its table stays
        /// in the nearest cache and other kinds' literals are not looked for.
        var search = LiteralSearch([])
        /// The kind's keywords' literals alone, looked for in the text of the other fields too.
        var everywhere = LiteralSearch([])
        /// Which kind it is, for a `LiteralCache` (`2 * number` its search, `+ 1` everywhere).
        var number: Int32 = 0
    }

    /// Literals shorter than this are weak: found in much text, a clause of them comes after
    /// the stronger ones (`necessary` keeps a rule's strongest few).
    static let shortest = 3
    /// Shorter still and a text test gives no literal: the rule is always run (unless its
    /// other tests give some). Two bytes are enough for what a log seldom holds, and a rule
    /// that needs nothing longer (`^^` among DOSfuscation's needles, a Cyrillic look-alike
    /// letter, two bytes of UTF-8) would otherwise run on every event of its kind.
    static let weakest = 2

    /// Detection rules: one clause of count 1 and no window. Others are not the index's.
    public init(_ rules: [(name: String, rule: Rule)]) throws(RuleError) {
        var necessary: [Necessary?] = []
        var entriesByKind: [String: [Int]] = [:]
        var fields = MatchFields()
        for (name, rule) in rules {
            guard let clause = rule.clauses.first, rule.clauses.count == 1, clause.count == 1 else { continue }
            let filter = clause.filter ?? .always
            roots.append(try program.add(filter, fields: &fields))
            partStart.append(Int32(truncatingIfNeeded: partRoots.count))
            let parts = program.parts(roots[roots.count - 1])
            for part in parts {
                partRoots.append(Int32(truncatingIfNeeded: part))
                // A read is moot when a field of an `absent` test above it is there: then that
                // `all` is false, whatever the read finds. True of the whole filter, but a
                // part may run before the `absent` test that makes its read moot, and its own
                // answer depends on what the read finds: a part's reads are all of value.
                let reads = program.reads(part).map { reads in parts.count == 1 ? reads : reads.map { MatchProgram.Read(slot: $0.slot, value: $0.value, moot: -1) } }
                if let reads, reads.count <= RuleMemo.maxReads {
                    partReadRanges.append(Range(start: Int32(truncatingIfNeeded: partReads.count), count: Int32(reads.count)))
                    partReads += reads
                } else {
                    partReadRanges.append(.none)
                }
            }
            necessary.append(RuleIndex.necessary(filter))
            if let ids = RuleIndex.eventIDs(filter) {
                eventIDRanges.append(Range(start: Int32(eventIDs.count), count: Int32(ids.count)))
                eventIDs += ids.sorted()
            } else {
                eventIDRanges.append(.none)
            }
            for kind in clause.kinds { entriesByKind[kind, default: []].append(entries.count) }
            entries.append(Entry(name: name, rule: rule))
        }
        partStart.append(Int32(truncatingIfNeeded: partRoots.count))
        self.fields = fields

        // One table of the rules' necessary literals; a text test whose needle is one of them
        // and was not found fails without looking at the value. A keyword's literal is its
        // own entry even when a field test has the same text: it is looked for in more text.
        var ids: [Literal: Int32] = [:]
        var texts: [[UInt8]] = []
        var isKeyword: [Bool] = []
        func id(_ literal: Literal) -> Int32 {
            if let known = ids[literal] { return known }
            let new = Int32(texts.count)
            ids[literal] = new
            texts.append(Array(literal.text.utf8))
            isKeyword.append(literal.everywhere)
            return new
        }
        // Each entry's clauses as literal ids, and how many entries each literal is in: a
        // literal in many rules (`\powershell.exe`, `\cmd.exe`: what rules are about is what
        // hosts run) is in many events too.
        let clauseIDs = necessary.map { needed in (needed?.clauses ?? []).map { clause in clause.map { Int(id($0)) } } }
        var rulesWith = [Int](repeating: 0, count: texts.count)
        for clauses in clauseIDs {
            for literal in Set(clauses.joined()) { rulesWith[literal] += 1 }
        }
        var needing = [[Int32]](repeating: [], count: texts.count)
        var literalsOf: [[Int]] = []
        // Per entry, its clauses other than the one it is posted under, from
        // `otherStart[entry]` to the next start: each as its record holds it (`Posting.clause`).
        var otherStart: [Int32] = [], others: [Int32] = []
        for (entry, clauses) in clauseIDs.enumerated() {
            literalsOf.append(Array(clauses.joined()))
            otherStart.append(Int32(others.count))
            // Posted under the clause whose literals fewest rules share: the one least often
            // found, and the fewest postings to walk when it is; of those, the strongest.
            let ranks = clauses.indices.map { c in
                (shared: -clauses[c].reduce(0) { $0 + rulesWith[$1] }, strength: RuleIndex.strength(necessary[entry]?.clauses[c] ?? []))
            }
            let posted = ranks.indices.max { ranks[$0] < ranks[$1] }
            for (c, clause) in clauses.enumerated() {
                if c == posted {
                    for literal in clause { needing[literal].append(Int32(entry)) }
                } else {
                    others += Posting.clause(clause)
                }
            }
        }
        otherStart.append(Int32(others.count))
        program.numberNeedles { ids[Literal(text: String(decoding: $0, as: UTF8.self), everywhere: $1)] }
        literals = texts.count
        let count = entries.count, program = self.program, roots = self.roots, postingsOf = needing
        let eventIDRange = eventIDRanges, eventIDList = eventIDs, otherStarts = otherStart, otherClauses = others
        let (needed, literalsOfEntry, literalTexts, keyword) = (necessary, literalsOf, texts, isKeyword)  // lets, for the threads
        let numbers = Dictionary(uniqueKeysWithValues: entriesByKind.keys.sorted().enumerated().map { ($1, Int32($0)) })
        // Each kind's searches are built on a core of their own (a tenth of a hunt's start-up).
        byKind = Dictionary(uniqueKeysWithValues: Parallel.map(entriesByKind.sorted { $0.key < $1.key }) { kind, list in
            var index = KindIndex(entries: list, number: numbers[kind] ?? 0)
            var member = [Bool](repeating: false, count: count)
            var mine: [Int] = []  // repeats and all: the search keeps each literal once
            for entry in list {
                member[entry] = true
                // Its necessary literals, and any literal its checks read (a check whose needle
                // is another rule's literal fails at once when the search did not find it).
                mine += literalsOfEntry[entry]
                mine += program.literalIDs(roots[entry]).lazy.map(Int.init)
                if needed[entry] == nil {
                    let ids = eventIDRange[entry]
                    if ids.count < 0 {
                        index.alwaysAnyID.append(Int32(entry))
                    } else {
                        for id in eventIDList[Int(ids.start)..<Int(ids.start + ids.count)] { index.alwaysByID[id, default: []].append(Int32(entry)) }
                    }
                }
                if needed[entry]?.caseless == true { index.caseless.append(Int32(entry)) }
                if needed[entry]?.clauses.contains(where: { $0.contains(where: \.everywhere) }) == true { index.keywords = true }
            }
            let lowest = mine.min() ?? 0, highest = mine.max() ?? -1
            index.postingBase = lowest
            for id in lowest..<(highest + 1) {
                index.postingStart.append(Int32(index.postings.count))
                guard id < postingsOf.count else { continue }
                for entry in postingsOf[id].lazy.map(Int.init) where member[entry] {
                    let ids = eventIDRange[entry]
                    index.postings += Posting.record(
                        entry: entry, eventIDs: ids.count < 0 ? nil : eventIDList[Int(ids.start)..<Int(ids.start + ids.count)],
                        others: otherClauses[Int(otherStarts[entry])..<Int(otherStarts[entry + 1])])
                }
            }
            index.postingStart.append(Int32(index.postings.count))
            index.search = LiteralSearch(literalTexts, only: mine)
            index.everywhere = LiteralSearch(literalTexts, only: mine.filter { keyword[$0] })
            return (kind, Kind(index))
        })
    }

    /// The literal searches' size over all kinds: literals numbered, anchors in their
    /// filters (a literal of rules of two kinds counts in both), table bytes.
    public var literalSearch: (literals: Int, anchors: Int, bytes: Int) {
        var anchors = 0, bytes = 0
        for kind in byKind.values {
            anchors += kind.index.search.size.anchors + kind.index.everywhere.size.anchors
            bytes += kind.index.search.size.bytes + kind.index.everywhere.size.bytes
        }
        return (literals, anchors, bytes)
    }

    /// The entries whose rules match the event, in index order. A reader of many events
    /// passes the same `cache` with each: values seen before are not scanned again.
    public func matches(kind: String, fields: JSONObject, cache: inout LiteralCache) -> [Int] {
        // An event of a kind no rule is for is not read at all.
        guard let box = self.kind(kind, &cache) else { return [] }
        let reading = cache.reading
        reading.event.start(fields, reading: self.fields)
        let found = matches(box, &reading.event, eventID: RuleIndex.eventID(of: fields), cache: &cache)
        reading.event.finish()
        return found
    }

    /// The kind's rules, looked up in the cache's memo first (`LiteralCache.KindMemo`):
    /// hashing the kind's name in `byKind` was half a thousand instructions an event, and a
    /// reader's events are of a few kinds, whose names are the same strings each time.
    private func kind(_ name: String, _ cache: inout LiteralCache) -> Kind? {
        if case .known(let kind) = cache.kinds.find(name, owner: kindsOwner) { return kind }
        let found = byKind[name]
        cache.kinds.add(name, found, owner: kindsOwner)
        return found
    }

    /// The rules of `box` that match `event`, whose EventID is `eventID`.
    private func matches(_ box: Kind, _ event: inout MatchEvent, eventID: Int64?, cache: inout LiteralCache) -> [Int] {
        let generation = cache.generation
        let run = candidates(of: box, event: &event, eventID: eventID, cache: &cache)
        defer { cache.candidates = run }  // its room, for the next event's
        guard !run.isEmpty else { return [] }
        // The event's values are known by their cache entries only if the cache kept them all
        // through its search.
        guard cache.generation == generation else { return program.running { p in run.filter { p.node(roots[$0], &event) } } }
        // Every rule's first part's key first, then their slots read at once (`RuleMemo
        // .touch`): looked up one rule at a time, each waited on memory in turn. A later
        // part's key is made only when the parts before it are true.
        var keys = cache.memo.takeKeys()
        defer { cache.memo.giveBack(keys) }
        for i in run { keys.append(memoKey(Int(partStart[i]), &event)) }
        cache.memo.touch(keys)
        return program.running { program in
            var n = 0
            return run.filter { i in
                var key = keys[n]
                n += 1
                var part = Int(partStart[i])
                let end = Int(partStart[i + 1])
                while true {
                    let answer: Bool
                    if let known = cache.memo.answer(key) {
                        answer = known
                    } else {
                        answer = program.node(Int(partRoots[part]), &event)
                        cache.memo.remember(key, answer)
                    }
                    part += 1
                    if !answer || part >= end { return answer }
                    key = memoKey(part, &event)
                }
            }
        }
    }

    /// What part `part`'s answer is remembered by on `event`: `.none` when it reads more
    /// than a key holds, or a value with no code.
    @inline(__always) private func memoKey(_ part: Int, _ event: inout MatchEvent) -> RuleMemo.Lookup {
        let range = partReadRanges[part]
        guard range.count >= 0 else { return .none }
        var key = RuleMemo.Key(rule: Int32(truncatingIfNeeded: part))
        for r in Int(range.start)..<Int(range.start + range.count) {
            guard let code = event.memoCode(partReads[r]) else { return .none }
            key.append(code)
        }
        if let bits = key.packed { return .packed(bits) }
        return .whole(key)
    }

    /// Tells the index which fields events may lack until asked for (a hunt's Windows events
    /// leave their ECS names out: `FormatRegistry.derivingLater`), each with the fields it is
    /// derived from, for `matchesLeavingOutDerived`. A derived field's value must be a copy, a
    /// part or a lower-cased copy of a text value of its sources, or the text of a number or
    /// boolean the event holds: what keywords are answered without them by
    /// (`MatchProgram.derivedReads`).
    public mutating func expectingDerived(_ sources: [String: [DerivedSource]]) {
        var table = fields
        var reading: [String: DerivedReads] = [:]
        for (kind, box) in byKind {
            var reads = DerivedReads()
            var found: [(entry: Int, reads: [(slot: Int32, moot: Int32)])] = []
            for entry in box.index.entries {
                let (always, derived) = program.derivedReads(roots[entry]) { sources[table.names[Int($0)]] != nil }
                reads.always = reads.always || always
                if !derived.isEmpty { found.append((entry, derived)) }
            }
            // The fields of rules for any EventID, then each EventID's, each list together.
            reads.anyID = reads.append(found.filter { eventIDRanges[$0.entry].count < 0 }.flatMap(\.reads), table: &table, sources: sources)
            var byID: [Int64: [(slot: Int32, moot: Int32)]] = [:]
            for (entry, derived) in found where eventIDRanges[entry].count >= 0 {
                let range = eventIDRanges[entry]
                for id in eventIDs[Int(range.start)..<Int(range.start + range.count)] { byID[id, default: []] += derived }
            }
            for (id, derived) in byID.sorted(by: { $0.key < $1.key }) {
                reads.byID[id] = reads.append(derived, table: &table, sources: sources)
            }
            reading[kind] = reads
        }
        fields = table
        byKind = Dictionary(uniqueKeysWithValues: byKind.map { kind, box in (kind, Kind(box.index, derived: reading[kind])) })
    }

    /// `matches` of an event that lacks the fields its format derives from its others (named
    /// to `expectingDerived`); nil when the answer may depend on them: then add them and ask
    /// `matches`. Without them the answer is the same when what the kind's rules read of them
    /// (`MatchProgram.derivedReads`) is never "always", and each derived field they read is
    /// read only under moots that the event has, not null, or the event has none of its sources.
    public func matchesLeavingOutDerived(kind: String, fields: JSONObject, cache: inout LiteralCache) -> [Int]? {
        guard let box = self.kind(kind, &cache) else { return [] }
        guard let derived = box.derived, !derived.always else { return nil }
        let reading = cache.reading
        reading.event.start(fields, reading: self.fields)
        let eventID = RuleIndex.eventID(of: fields)
        let found = derived.mayMatter(to: &reading.event, eventID: eventID) ? nil : matches(box, &reading.event, eventID: eventID, cache: &cache)
        reading.event.finish()
        return found
    }

    /// `matches` of one event alone.
    public func matches(kind: String, fields: JSONObject) -> [Int] {
        var cache = LiteralCache()
        return matches(kind: kind, fields: fields, cache: &cache)
    }

    /// How many rules the pre-filter leaves to run on the event, and how many its kind has.
    public func prefiltered(kind: String, fields: JSONObject, cache: inout LiteralCache) -> (run: Int, of: Int) {
        var event = MatchEvent(fields, reading: self.fields)
        guard let box = byKind[kind] else { return (0, 0) }
        return (candidates(of: box, event: &event, eventID: RuleIndex.eventID(of: fields), cache: &cache).count, box.index.entries.count)
    }

    /// Whether the entry runs on every event of its kinds: none of its tests gives a literal
    /// it cannot match without (a negation, a number, a one-byte needle), so the pre-filter
    /// cannot skip it. What makes a ruleset slow, in `taser bench hunt --costliest`.
    public func runsAlways(_ entry: Int) -> Bool {
        let e = Int32(entry)
        return byKind.values.contains { $0.index.alwaysAnyID.contains(e) || $0.index.alwaysByID.values.contains { $0.contains(e) } }
    }

    /// The same work as `matches`, timed with `clock` (nanoseconds): what each rule's runs
    /// cost (`spent`, per entry) and what finding the candidates cost (`scan`), to tell
    /// which rules make a hunt slow.
    public func profile(kind: String, fields: JSONObject, cache: inout LiteralCache, clock: () -> UInt64, spent: inout [UInt64], scan: inout UInt64) {
        if spent.count < entries.count { spent += [UInt64](repeating: 0, count: entries.count - spent.count) }
        var event = MatchEvent(fields, reading: self.fields)
        let t0 = clock()
        let run = byKind[kind].map { candidates(of: $0, event: &event, eventID: RuleIndex.eventID(of: fields), cache: &cache) } ?? []
        var t = clock()
        scan &+= t &- t0
        program.running { program in
            for i in run {
                _ = program.node(roots[i], &event)
                let after = clock()
                spent[i] &+= after &- t
                t = after
            }
        }
    }

    /// The entries worth running on the event, in index order: those of its kind whose
    /// literals it holds (or that need none) and whose EventIDs include its. Leaves in the
    /// event which literals it holds, for the tests to read.
    /// The kind's index is read through its box, never copied out (a copy retains its arrays).
    private func candidates(of box: Kind, event: inout MatchEvent, eventID: Int64?, cache: inout LiteralCache) -> [Int] {
        // The room the last event's took, when it was handed back (`matches`): made for each
        // event, it was an allocation and a free.
        var out: [Int] = []
        swap(&out, &cache.candidates)
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(64)  // one allocation, not a growth per doubling
        if literals > 0 {
            // String values' literals come from the cache; the text holds the rest.
            cache.startEvent(literals: literals)
            let readEnd: Int
            do {  // the text is let go before the event's grows, so it grows in place
                let text = event.searchText(cache: &cache, box.index.search, id: 2 &* box.index.number)
                cache.add(text: text, from: 0, box.index.search)
                readEnd = text.count
            }
            if box.index.keywords {
                let all = event.searchTextOfEveryField(cache: &cache, box.index.everywhere, id: 2 &* box.index.number &+ 1)
                cache.add(text: all, from: readEnd, box.index.everywhere)
            }
            let found = cache.found
            // An entry is a candidate when the literal it is posted under is found, each of its
            // other clauses has one found too, and the event's EventID is one of its. One
            // posted under several found literals comes more than once: made unique below.
            // Every hit is one of the kind's searches' literals, so within its postings.
            let postingStart = box.index.postingStart, postings = box.index.postings, base = box.index.postingBase
            found.words.withUnsafeBufferPointer { words in
                postings.withUnsafeBufferPointer { postings in
                    for id in cache.hits {
                        let p = Int(id) &- base
                        var k = Int(postingStart[p])
                        let end = Int(postingStart[p + 1])
                        while k < end {
                            let next = k &+ Int(postings[k])
                            if admits(postings, k &+ 1, next, eventID, words) { out.append(Int(postings[k &+ 1])) }
                            k = next
                        }
                    }
                }
            }
            if !event.searchTextIsASCII { for c in box.index.caseless where takes(Int(c), eventID) { out.append(Int(c)) } }
            event.literalsFound = found
        }
        for c in box.index.alwaysAnyID { out.append(Int(c)) }
        if let id = eventID, let always = box.index.alwaysByID[id] { for c in always { out.append(Int(c)) } }
        // In index order, each once.
        out.sort()
        var kept = 0
        for i in out.indices where kept == 0 || out[i] != out[kept - 1] {
            out[kept] = out[i]
            kept += 1
        }
        out.removeLast(out.count - kept)
        return out
    }

    private static let eventIDKey = JSONKey("EventID")

    /// The event's EventID, as the rules' EventIDs are compared with it.
    private static func eventID(of fields: JSONObject) -> Int64? { fields[eventIDKey].flatMap(integer) }

    /// Whether the entry's EventIDs, if it names some, include the event's.
    @inline(__always)
    private func takes(_ entry: Int, _ eventID: Int64?) -> Bool {
        let ids = eventIDRanges[entry]
        guard ids.count >= 0 else { return true }
        guard let id = eventID else { return false }
        return eventIDs[Int(ids.start)..<Int(ids.start + ids.count)].contains(id)
    }

    /// Whether the `Posting` record from `start` (its entry) to `end` names a candidate: the
    /// event's EventID is one of the entry's, and each of its other clauses has a literal
    /// among the event's found ones (`LiteralFlags`' words). The records
    /// are the index's own, each at least its entry and EventID count long; the buffer's
    /// reads are checked only in debug builds, so each index is kept within `start..<end`.
    @inline(__always)
    private func admits(
        _ postings: UnsafeBufferPointer<Int32>, _ start: Int, _ end: Int, _ eventID: Int64?, _ found: UnsafeBufferPointer<UInt64>
    ) -> Bool {
        guard start &+ 1 < end, end <= postings.count else { return false }
        let ids = postings[start &+ 1]
        var j = start &+ 2
        if ids >= 0 {
            guard let eventID, j &+ Int(ids) <= end else { return false }
            var taken = false
            for i in j..<(j &+ Int(ids)) where Int64(postings[i]) == eventID {
                taken = true
                break
            }
            guard taken else { return false }
            j &+= Int(ids)
        } else if ids == Posting.askTakes, !takes(Int(postings[start]), eventID) {
            return false
        }
        while j < end {
            let n = Int(postings[j])
            j &+= 1
            guard n >= 0, j &+ 3 &* n <= end else { return false }
            var held = false
            for k in stride(from: j, to: j &+ 3 &* n, by: 3) {
                let w = Int(postings[k])
                let mask = UInt64(UInt32(bitPattern: postings[k &+ 1])) | UInt64(UInt32(bitPattern: postings[k &+ 2])) << 32
                // A word past the flags is of literals nobody searched for: not absent, as
                // `LiteralFlags.absent` says.
                if w < 0 || w >= found.count || found[w] & mask != 0 {
                    held = true
                    break
                }
            }
            if !held { return false }
            j &+= 3 &* n
        }
        return true
    }

    /// The same answer with no pre-filter: every rule of the kind run (for the bench and the
    /// tests that check the pre-filter never changes what matches).
    public func matchesWithoutPrefilter(kind: String, fields: JSONObject) -> [Int] {
        var event = MatchEvent(fields, reading: self.fields)
        return program.running { run in (byKind[kind]?.index.entries ?? []).filter { run.node(roots[$0], &event) } }
    }

    static func integer(_ v: JSONValue) -> Int64? {
        switch v {
        case .int(let n): return n
        case .string(let s): return Int64(s.trimmed)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? Int64(d) : nil
        default: return nil
        }
    }

    /// EventIDs the rule requires (an `EventID` equality or list that every way it can
    /// match goes through), nil when it requires none.
    static func eventIDs(_ filter: Filter) -> Set<Int64>? {
        func ids(_ f: Filter) -> Set<Int64>? {
            guard case .test("EventID", let test) = f else { return nil }
            var out = Set<Int64>()
            let values: [FilterValue]
            switch test {
            case .equals(let v, _): values = [v]
            case .oneOf(let vs, _): values = vs
            default: return nil
            }
            for v in values {
                switch v {
                case .number(let d) where d.rounded() == d && abs(d) < 1e15: out.insert(Int64(d))
                case .text(let s): guard let n = Int64(s.trimmed) else { return nil }; out.insert(n)
                default: return nil
                }
            }
            return out
        }
        switch filter {
        case .all(let fs):
            var best: Set<Int64>?
            for f in fs { if let s = eventIDs(f) { best = best.map { $0.intersection(s) } ?? s } }
            return best
        case .any(let fs):
            // One of the children: an EventID one of them requires, when each requires some
            // (`(selection_4738 and not filter) or 1 of selection_5136_*`).
            var union = Set<Int64>()
            for f in fs {
                guard let s = eventIDs(f) else { return nil }
                union.formUnion(s)
            }
            return fs.isEmpty ? nil : union
        default:
            return ids(filter)
        }
    }

    /// What a filter cannot match without: in the event's search text, at least one literal
    /// (lower-cased) of each clause. One clause per child of an `all` that has one, so a rule
    /// `Image|endswith: '\\cmd.exe'` and `CommandLine|contains: '/c'` is a candidate only
    /// when both are in the event, not whenever either is.
    struct Necessary: Equatable {
        var clauses: [[Literal]]
        /// Certain only when the search text is all ASCII (literals of case-insensitive
        /// regexes, `RegexLiterals.Needed.caseless`).
        var caseless = false

        /// Every literal of every clause.
        var literals: [Literal] { clauses.flatMap { $0 } }
    }

    /// At most this many clauses per rule, the strongest: a bit each in a byte.
    static let mostClauses = 4

    /// What the filter cannot match without; nil when nothing is known.
    static func necessary(_ filter: Filter) -> Necessary? {
        switch filter {
        case .test(_, let test):
            return literal(test)
        case .all(let fs):
            // Every child's clauses: each must be met. Clauses certain in any text before ones
            // that are not (which count only when there is nothing else), strongest first.
            var certain: [[Literal]] = [], caseless: [[Literal]] = []
            for f in fs {
                guard let child = necessary(f) else { continue }
                if child.caseless { caseless += child.clauses } else { certain += child.clauses }
            }
            let chosen = certain.isEmpty ? caseless : certain
            guard !chosen.isEmpty else { return nil }
            var unique: [[Literal]] = []
            for clause in chosen.sorted(by: { strength($0) > strength($1) }) where !unique.contains(clause) { unique.append(clause) }
            return Necessary(clauses: Array(unique.prefix(mostClauses)), caseless: certain.isEmpty)
        case .any(let fs):
            // One of the children: clause j is the union of each child's clause j (its last
            // when it has fewer), strongest first. Whichever child matches holds one of its own
            // clause j's literals, so every such union is necessary, and a rule `1 of
            // selection_*` whose first selection wants `\Windows\` (in nearly every path) and
            // a rarer command line runs only when one of the rarer texts is there too, not on
            // every event with `\Windows\`.
            var children: [Necessary] = [], caseless = false
            for f in fs {
                guard var child = necessary(f), !child.clauses.isEmpty else { return nil }
                child.clauses.sort { strength($0) > strength($1) }
                children.append(child)
                caseless = caseless || child.caseless
            }
            var clauses: [[Literal]] = []
            for j in 0..<(children.map(\.clauses.count).max() ?? 0) {
                var union = Set<Literal>()
                for child in children { union.formUnion(child.clauses[min(j, child.clauses.count - 1)]) }
                let clause = union.sorted()
                if !clauses.contains(clause) { clauses.append(clause) }
            }
            return clauses.isEmpty ? nil : Necessary(clauses: Array(clauses.prefix(mostClauses)), caseless: caseless)
        case .anyField(let test):
            // A keyword reads every field: its literal is looked for in all of them.
            guard var set = literal(test) else { return nil }
            for c in set.clauses.indices { for i in set.clauses[c].indices { set.clauses[c][i].everywhere = true } }
            return set
        case .not, .sameAs, .always:
            return nil
        }
    }

    /// A literal and where it is looked for: a field test's in the fields tests read, a
    /// keyword's in every field.
    /// Equal by their bytes, not as strings: `café` composed and decomposed are one string
    /// but two literals (the search compares bytes), and merging them loses one.
    struct Literal: Hashable, Comparable {
        var text: String
        var everywhere = false

        static func == (a: Literal, b: Literal) -> Bool {
            a.everywhere == b.everywhere && a.text.utf8.elementsEqual(b.text.utf8)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(everywhere)
            for byte in text.utf8 { hasher.combine(byte) }
        }

        static func < (a: Literal, b: Literal) -> Bool {
            a.text.utf8.lexicographicallyPrecedes(b.text.utf8) || (a.text.utf8.elementsEqual(b.text.utf8) && !a.everywhere && b.everywhere)
        }
    }

    /// A clause is as strong as its shortest literal is long (a longer one is found less often).
    private static func strength(_ set: [Literal]) -> Int { set.map(\.text.utf8.count).min() ?? 0 }

    /// The literal a test cannot pass without, as the event's search text holds it (each value
    /// lower-cased whole). Text tests compare bytes, so their needle lower-cased is in that
    /// text whenever they pass, with two exceptions where only its ASCII is (`certainASCII`):
    /// - a cased test's Unicode needle: lower-casing depends on context (a final sigma), so
    ///   a value holding the needle may not hold it lower-cased;
    /// - an equality that only Unicode decides: strings compare by canonical equivalence, so
    ///   `café` equals `cafe` with a combining accent, and `;` equals U+037E, `` ` `` U+1FEF
    ///   (an ASCII needle holding one of those gives no literal).
    /// A regex's literals are what `RegexLiterals` finds it cannot match without.
    private static func literal(_ test: Test) -> Necessary? {
        func usable(_ s: String, cased: Bool, equality: Bool = false) -> [Literal]? {
            let ascii = s.utf8.allSatisfy { $0 < 0x80 }
            if (cased || equality) && !ascii { return certainASCII(s).map { [Literal(text: $0)] } }
            if equality && s.utf8.contains(where: { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "`") }) { return nil }
            let lower = s.lowercased()
            return lower.utf8.count >= weakest ? [Literal(text: lower)] : nil
        }
        switch test {
        case .contains(let s, let cased), .startsWith(let s, let cased), .endsWith(let s, let cased):
            return usable(s, cased: cased).map { Necessary(clauses: [$0]) }
        case .equals(.text(let s), let cased):
            return usable(s, cased: cased, equality: true).map { Necessary(clauses: [$0]) }
        case .glob(let pattern, let cased):
            // The run as the matcher holds it: cut from the pattern lower-cased whole.
            return longestPlainRun(cased ? pattern : pattern.lowercased()).flatMap { usable($0, cased: cased) }.map { Necessary(clauses: [$0]) }
        case .oneOf(let values, let cased):
            var out: [Literal] = []
            for v in values {
                guard case .text(let s) = v, let l = usable(s, cased: cased, equality: true) else { return nil }
                out += l
            }
            return out.isEmpty ? nil : Necessary(clauses: [out])
        case .regex(let pattern, let insensitive):
            // Any literal, however short: a regex costs far more than looking for one (a backtick
            // keeps PowerShell's token obfuscation rule off every command line without one).
            return RegexLiterals.needed(pattern, caseInsensitive: insensitive, shortest: 1).map {
                Necessary(clauses: [$0.literals.map { Literal(text: $0) }], caseless: $0.caseless)
            }
        default:
            return nil
        }
    }

    /// The longest stretch of a Unicode needle that a value passing a cased or an equality
    /// test holds for certain, lower-cased, as its search text does: a run of ASCII, less its
    /// last character when a non-ASCII one follows (`e` and a combining accent is `é` in a
    /// value written precomposed), cut at `;` and `` ` `` (each equals a non-ASCII character,
    /// U+037E and U+1FEF). ASCII letters lower-case alone whatever surrounds them, and no
    /// composition takes an ASCII character as its second part. `GnuPG’s OpenPGP tool` gives
    /// `s openpgp tool`, and the rule that wants it no longer runs on every process start.
    static func certainASCII(_ needle: String) -> String? {
        var best: [UInt8] = [], run: [UInt8] = []
        func end(droppingLast: Bool) {
            if droppingLast, !run.isEmpty { run.removeLast() }
            if run.count > best.count { best = run }
            run = []
        }
        for byte in needle.utf8 {
            if byte >= 0x80 {
                end(droppingLast: true)
            } else if byte == UInt8(ascii: ";") || byte == UInt8(ascii: "`") {
                end(droppingLast: false)
            } else {
                run.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
        }
        end(droppingLast: false)
        return best.count >= weakest ? String(decoding: best, as: UTF8.self) : nil
    }

    /// The longest run of a glob without wildcards. `\*` and `\?` end a run as a wildcard
    /// does: `Glob` takes them as a literal `*` or `?` where the text has one there, and
    /// otherwise as a literal backslash and a wildcard, so neither reading is certain.
    static func longestPlainRun(_ pattern: String) -> String? {
        var best = "", run = ""
        var chars = Array(pattern)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\\", let n = chars.first, n == "*" || n == "?" {
                if run.count > best.count { best = run }
                run = ""
                chars = chars.dropFirst()
            } else if c == "*" || c == "?" {
                if run.count > best.count { best = run }
                run = ""
            } else {
                run.append(c)
            }
        }
        if run.count > best.count { best = run }
        return best.isEmpty ? nil : best
    }
}

