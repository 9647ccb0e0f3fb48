import AlertEngine
import Foundation
import Model
import Testing
@testable import Engine
@testable import SignalServer

/// SigmaHQ's own regression data: for each rule that has it, an EVTX file of the events the
/// rule was written to find (SigmaHQ `regression_data/`, commit 8eaafff1f; the rules copied
/// unchanged from `rules*/`, under the Detection Rule License 1.1). Every rule must import
/// and find its events in its file, read by taser's EVTX reader and Windows format; and the
/// hunt's pre-filter must never change what matches (every rule against every event).
@Suite struct SigmaRegressionTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var rule: String
        var id: String
        var title: String?
        var evtx: String
        var testDescription: String { "\(rule) <- \(evtx)" }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("SigmaRegression").path

    static let cases: [Case] = {
        guard let data = FileManager.default.contents(atPath: folder + "/cases.json"),
              let cases = try? JSONDecoder().decode([Case].self, from: data) else { return [] }
        return cases
    }()

    @Test func theRegressionDataIsThere() {
        #expect(Self.cases.count == 202)
    }

    @Test(arguments: cases)
    func theRuleFindsItsEvents(_ c: Case) throws {
        let imported = SigmaImport.read(paths: [Self.folder + "/rules/" + c.rule])
        #expect(imported.problems.isEmpty, "\(imported.problems.map(\.description))")
        let rule = try #require(imported.rules.first { $0.name == c.id || $0.text.contains(c.id) })
        let hunt = try SigmaHunt(rules: [rule])
        var found = 0
        let outcome = try hunt.scan(try FileInput(path: Self.folder + "/evtx/" + c.evtx), file: c.evtx) { _ in found += 1 }
        #expect(outcome.refused == 0, "\(outcome.reasons)")
        #expect(outcome.signals > 0)
        #expect(found > 0, "\(c.title ?? c.rule) found nothing in \(outcome.signals) events")
    }

    @Test func thePrefilterNeverChangesWhatMatches() throws {
        let imported = SigmaImport.read(paths: [Self.folder + "/rules", SigmaOverEvtxTests.folder + "/../../../SignalServerTests/Fixtures/sigma/sigmahq"])
        let index = try RuleIndex(imported.rules.map { ($0.name, $0.rule) })
        #expect(index.entries.count > 250)
        var events = 0, detections = 0
        let files = Self.cases.map { Self.folder + "/evtx/" + $0.evtx } + ["sysmon.evtx.gz", "security.evtx.gz"].map { SigmaOverEvtxTests.folder + "/" + $0 }
        for file in files {
            // One cache across the file's events, as `taser hunt` reads a file: what it keeps
            // from event to event (values' literals, which fields to scan without it, rules'
            // remembered answers) must never change an answer.
            var cache = LiteralCache()
            _ = try EventReader.read(try FileInput(path: file), name: file, formats: .builtIn()) { s in
                events += 1
                let fast = index.matches(kind: s.kind.name, fields: s.fields, cache: &cache)
                let alone = index.matches(kind: s.kind.name, fields: s.fields)
                let slow = index.matchesWithoutPrefilter(kind: s.kind.name, fields: s.fields)
                #expect(fast == slow, "\(file): \(s.title)")
                #expect(alone == slow, "\(file): \(s.title)")
                detections += fast.count
            }
        }
        #expect(events > 2_000 && detections > 200)
    }

    /// A hunt reads Windows events without their ECS names (`FormatRegistry.derivingLater`)
    /// and adds them only where an answer may depend on them: every answer it gives that way
    /// must be the answer over the whole event, and an event with its names added must be the
    /// event `ingest` reads. Each ECS name an event has must come with one of the sources
    /// `WindowsECS.sources` names for it, or an event lacking them would be answered wrongly.
    @Test func leavingOutDerivedFieldsNeverChangesWhatMatches() throws {
        let imported = SigmaImport.read(paths: [Self.folder + "/rules", SigmaOverEvtxTests.folder + "/../../../SignalServerTests/Fixtures/sigma/sigmahq"])
        let later = FormatRegistry.builtIn().derivingLater()
        let sources = later.derivedFieldSources
        #expect(sources.count > 40)
        var index = try RuleIndex(imported.rules.map { ($0.name, $0.rule) })
        index.expectingDerived(sources)
        var events = 0, answered = 0
        let files = Self.cases.map { Self.folder + "/evtx/" + $0.evtx } + ["sysmon.evtx.gz", "security.evtx.gz"].map { SigmaOverEvtxTests.folder + "/" + $0 }
        for file in files {
            var whole: [Normalized] = [], left: [Normalized] = []
            _ = try EventReader.read(try FileInput(path: file), name: file, formats: .builtIn()) { whole.append($0) }
            _ = try EventReader.read(try FileInput(path: file), name: file, formats: later) { left.append($0) }
            #expect(whole.count == left.count, "\(file)")
            var cache = LiteralCache()
            for (full, s) in zip(whole, left) {
                events += 1
                #expect(s.derived != nil, "\(file): \(full.title)")
                let own = s.fields
                if let answer = index.matchesLeavingOutDerived(kind: s.kind.name, fields: own, cache: &cache) {
                    answered += 1
                    #expect(answer == index.matchesWithoutPrefilter(kind: full.kind.name, fields: full.fields), "\(file): \(full.title)")
                }
                var added = s
                added.addDerivedFields()
                #expect(added.fields == full.fields, "\(file): \(full.title)")
                #expect(added.title == full.title && added.texts == full.texts)
                // What a timeline row reads is there with the shown names alone, each value
                // as the whole event has it, and the rest completes them to the whole.
                var shown = s
                shown.addShownFields()
                #expect(shown.title == full.title, "\(file): \(shown.title)")
                for name in ["host.name", "user.name", "user.domain"] {
                    #expect(shown.fields[name] == full.fields[name], "\(file): \(name) of \(full.title)")
                }
                for (key, value) in shown.fields { #expect(full.fields[key] == value, "\(file): \(key) of \(full.title)") }
                let (kept, rest) = shown.shownFields()
                #expect(rest.map { $0.complete(kept) } == full.fields, "\(file): \(full.title)")
                let eventID = full.fields["EventID"].flatMap(RuleIndex.integer)
                for (key, _) in full.fields where own[key] == nil {
                    let from = sources[key] ?? []
                    #expect(from.contains { ($0.eventID == nil || $0.eventID == eventID) && own[$0.field] != nil }, "\(file): \(key) of \(full.title)")
                }
            }
        }
        #expect(events > 2_000)
        // Most events are answered without the names, or the hunt gains nothing.
        #expect(answered * 2 > events, "\(answered) of \(events)")
    }
}
