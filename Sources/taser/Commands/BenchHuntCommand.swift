import AlertEngine
import ArgumentParser
import Engine
import Foundation
import Model
import SignalServer

extension BenchCommand {
    struct HuntBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hunt",
            abstract: "Time taser hunt: events per second through a Sigma ruleset against no rules, and EVTX parsing against the Rust evtx parser.",
            discussion: """
                Generates N Windows events (Sysmon process starts, connections, file, registry, image-load and process-access events; Security logons, failed logons, process starts and privileges) as evtx_dump's JSON, then on one core: reads and normalizes them with no rules (the floor), and again through every detection rule under --sigma (SigmaHQ's rules/windows: `fetch` SigmaHQ/sigma). Prints events per second for both, their ratio, the matching alone, and the same matching with the pre-filter off (every rule of the event's kind run). Goal: at least 100,000 events/s with ~2,000 rules.

                With --evtx FILE it also parses that EVTX file and, when Python's `evtx` package (the Rust parser; pip install evtx) is installed, times it on the same file in the same run, both the same way: a file parses in milliseconds, so each timing parses it again and again for at least a tenth of a second, and the best of seven timings counts (one slow run says nothing). Goal: at least as fast.
                """)
        @Option(help: "How many generated events.", transform: count(1...10_000_000)) var events = 1_000_000
        @Option(name: .customLong("sigma"), help: "Sigma rule files or folders (SigmaHQ's rules/windows).") var sigma: [String] = []
        @Option(help: "An EVTX file to time the parser on.") var evtx: String?
        @Option(help: "Also list the N rules whose matching costs most (CPU time over all events).", transform: count(0...1000)) var costliest = 0
        @Option(help: "Time only the whole hunt (hunt), only the floor (floor), or only the EVTX parser on --evtx (evtx, 200 times), and print nothing else: for a profiler such as `perf record`.") var only: Only?
        @Flag(help: "End with one JSON object on the last line.") var json = false

        enum Only: String, ExpressibleByArgument, CaseIterable { case hunt, floor, evtx }

        func validate() throws {
            guard !sigma.isEmpty else { throw ValidationError("name a ruleset with --sigma DIR (SigmaHQ's rules/windows, fetched from github.com/SigmaHQ/sigma)") }
            if only == .evtx && evtx == nil { throw ValidationError("--only evtx times the EVTX parser: name a file with --evtx FILE") }
        }

        func run() throws {
            for path in sigma + [evtx].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
                throw CLIError("no file or folder \(path)")
            }
            if only == .evtx, let evtx {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: evtx)))
                let t0 = ThreadCPU.seconds
                var records = 0
                for _ in 0..<200 { records += Self.evtxRecords(bytes) }
                Output.note("evtx: \(Self.rate(Double(records) / (ThreadCPU.seconds - t0))) records/s")
                return
            }
            // Start-up, as a hunt of a small file waits for it: wall-clock, since the files
            // are read on every core.
            let t = Date()
            let imported = SigmaImport.read(paths: sigma)
            let read = Date().timeIntervalSince(t)
            let hunt = try SigmaHunt(rules: imported.rules)
            let indexing = Date().timeIntervalSince(t) - read
            let rules = hunt.index.entries.count
            Output.note("\(rules) detection rules from \(sigma.joined(separator: ", ")) (\(imported.problems.count) not imported), "
                + String(format: "loaded in %.2f s: %.2f s reading, %.2f s indexing", read + indexing, read, indexing))
            let search = hunt.index.literalSearch
            Output.note("pre-filter: \(search.literals) literals by \(search.anchors) anchors, \(ByteCount.text(search.bytes)) of tables")

            // The EVTX file first, before the generated events and their signals fill memory: timed
            // after them, the same parse ran a third slower with --events 100000 than with 1000.
            let evtxOut = try only == nil ? evtx.map { try evtxFigures($0, hunt: hunt) } ?? [:] : [:]

            let bytes = WindowsEventGenerator.ndjson(count: events)
            Output.note("\(events) events, \(ByteCount.text(bytes.count)) of evtx_dump JSON")

            // The floor: read and normalize, no rules.
            let empty = try SigmaHunt(rules: [])
            if let only {
                let t0 = ThreadCPU.seconds
                var found = 0
                _ = try (only == .hunt ? hunt : empty).scan(BytesInput(bytes), file: "bench.json") { _ in found += 1 }
                let seconds = ThreadCPU.seconds - t0
                Output.note("\(only.rawValue): \(Self.rate(Double(events) / seconds)) events/s (" + String(format: "%.3f", seconds) + " s of CPU), \(found) detections")
                return
            }
            var floor = Double.infinity, full = Double.infinity
            var detections = 0
            for _ in 0..<2 {
                let t0 = ThreadCPU.seconds
                _ = try empty.scan(BytesInput(bytes), file: "bench.json") { _ in }
                floor = min(floor, ThreadCPU.seconds - t0)
                var found = 0
                let t1 = ThreadCPU.seconds
                _ = try hunt.scan(BytesInput(bytes), file: "bench.json") { _ in found += 1 }
                full = min(full, ThreadCPU.seconds - t1)
                detections = found
            }

            // The hunt as `taser hunt` runs it, on every core: wall-clock, the same detections.
            let cores = ProcessInfo.processInfo.activeProcessorCount
            var wall = Double.infinity, coresDetections = 0
            for _ in 0..<(cores > 1 ? 2 : 0) {
                var found = 0
                let t = Date()
                _ = try hunt.scan(BytesInput(bytes), file: "bench.json", workers: cores) { _ in found += 1 }
                wall = min(wall, Date().timeIntervalSince(t))
                coresDetections = found
            }

            // The matching alone, with and without the pre-filter, over normalized events.
            var normalized: [(String, JSONObject)] = []
            _ = try EventReader.read(BytesInput(bytes), name: "bench.json", formats: .builtIn()) { normalized.append(($0.kind.name, $0.fields)) }
            let t2 = ThreadCPU.seconds
            var indexed = 0
            var cache = LiteralCache()
            for (kind, fields) in normalized { indexed += hunt.index.matches(kind: kind, fields: fields, cache: &cache).count }
            let matchSeconds = ThreadCPU.seconds - t2
            var run = 0, of = 0
            for (kind, fields) in normalized {
                let (r, o) = hunt.index.prefiltered(kind: kind, fields: fields, cache: &cache)
                run += r
                of += o
            }
            let perEvent = Double(run) / Double(max(1, normalized.count)), kindRules = Double(of) / Double(max(1, normalized.count))
            let sample = normalized.prefix(max(1, min(normalized.count, 20_000)))
            let t3 = ThreadCPU.seconds
            var naive = 0
            for (kind, fields) in sample { naive += hunt.index.matchesWithoutPrefilter(kind: kind, fields: fields).count }
            let naiveSeconds = ThreadCPU.seconds - t3
            let sampleIndexed = sample.reduce(0) { $0 + hunt.index.matches(kind: $1.0, fields: $1.1, cache: &cache).count }

            if costliest > 0 { costliestRules(normalized, hunt.index) }

            let floorRate = Double(events) / floor, fullRate = Double(events) / full
            let matchRate = Double(normalized.count) / matchSeconds, naiveRate = Double(sample.count) / naiveSeconds
            Output.table(["STAGE", "EVENTS/S", "CPU S", "NOTE"], [
                ["read + normalize (floor)", Self.rate(floorRate), String(format: "%.2f", floor), "no rules"],
                ["hunt (\(rules) rules)", Self.rate(fullRate), String(format: "%.2f", full), "\(detections) detections; \(String(format: "%.2f", fullRate / floorRate))x the floor"],
                ["hunt on \(cores) cores", cores > 1 ? Self.rate(Double(events) / wall) : "-", cores > 1 ? String(format: "%.2f", wall) : "-",
                 cores > 1 ? String(format: "wall clock, as taser hunt runs; %.2fx one core; same detections: %@", Double(events) / wall / fullRate,
                                    coresDetections == detections ? "yes" : "NO") : "one core here"],
                ["matching alone", Self.rate(matchRate), String(format: "%.2f", matchSeconds), String(format: "pre-filtered by kind, text and EventID: %.1f of %.0f rules run per event", perEvent, kindRules)],
                ["matching, no pre-filter", Self.rate(naiveRate), String(format: "%.2f", naiveSeconds), "\(sample.count) events; same detections: \(naive == sampleIndexed ? "yes" : "NO")"],
            ])
            Output.note("goal: at least 100,000 events/s with ~2,000 rules: \(fullRate >= 100_000 ? "met" : "not met") (\(Self.rate(fullRate)) with \(rules))")

            var figures: [String: JSONValue] = [
                "events": .int(Int64(events)), "rules": .int(Int64(rules)), "rules_load_s": .double(((read + indexing) * 1000).rounded() / 1000), "floor_events_per_s": .double(floorRate.rounded()),
                "hunt_events_per_s": .double(fullRate.rounded()), "ratio_to_floor": .double((fullRate / floorRate * 1000).rounded() / 1000),
                "matching_events_per_s": .double(matchRate.rounded()), "unfiltered_matching_events_per_s": .double(naiveRate.rounded()),
                "rules_run_per_event": .double((perEvent * 10).rounded() / 10), "kind_rules_per_event": .double(kindRules.rounded()),
                "detections": .int(Int64(detections)), "prefilter_agrees": .bool(naive == sampleIndexed), "cores": .int(Int64(cores)),
            ]
            if cores > 1 {
                figures["hunt_all_cores_events_per_s"] = .double((Double(events) / wall).rounded())
                figures["all_cores_detections_agree"] = .bool(coresDetections == detections)
            }
            figures.merge(evtxOut) { $1 }
            if json { Output.line(JSONValue.object(JSONObject(figures)).text) }
        }

        /// The rules that cost most, and the pre-filter's own cost, over the events.
        private func costliestRules(_ events: [(String, JSONObject)], _ index: RuleIndex) {
            var spent: [UInt64] = [], scan: UInt64 = 0
            let clock = { UInt64((ThreadCPU.seconds * 1e9).rounded()) }
            var cache = LiteralCache()
            for (kind, fields) in events { index.profile(kind: kind, fields: fields, cache: &cache, clock: clock, spent: &spent, scan: &scan) }
            let total = spent.reduce(0, &+)
            let per = { (ns: UInt64) in String(format: "%.2f", Double(ns) / Double(max(1, events.count)) / 1000) }
            var rows = [["(finding candidates: text scan, literals, EventIDs)", per(scan), "", ""]]
            for i in spent.indices.sorted(by: { spent[$0] > spent[$1] }).prefix(costliest) {
                rows.append([index.entries[i].name, per(spent[i]), String(format: "%.1f%%", Double(spent[i]) / Double(max(1, total)) * 100),
                             index.runsAlways(i) ? "every event of its kind" : "when its text is there"])
            }
            Output.table(["RULE", "µS PER EVENT", "SHARE OF MATCHING", "RUNS"], rows)
        }

        /// Records per second parsing one EVTX file, taser's reader against the Rust one; and
        /// hunting it on one core, as `taser hunt FILE --threads 1` reads it, against the parse.
        private func evtxFigures(_ path: String, hunt: SigmaHunt) throws -> [String: JSONValue] {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            // Timed as the Python side times the Rust parser: the best of seven.
            let (records, best) = Self.bestSeconds(timings: 7, maxPasses: 10_000) { Self.evtxRecords(bytes) }
            let mine = Double(records) / best
            var rows = [["taser", String(records), Self.rate(mine), String(format: "%.3f", best)]]
            var out: [String: JSONValue] = ["evtx_records": .int(Int64(records)), "evtx_records_per_s": .double(mine.rounded())]
            if let (theirRecords, theirs) = Self.rustEvtx(path) {
                let rate = Double(theirRecords) / theirs
                rows.append(["Rust evtx (pip)", String(theirRecords), Self.rate(rate), String(format: "%.3f", theirs)])
                out["rust_evtx_records_per_s"] = .double(rate.rounded())
                out["evtx_ratio"] = .double((mine / rate * 1000).rounded() / 1000)
                Output.note("EVTX: taser parses \(String(format: "%.2f", mine / rate))x as fast as the Rust parser (goal: at least as fast)")
            } else {
                Output.note("EVTX: Python's evtx package is not installed (pip install evtx), so there is nothing to compare with")
            }
            // The hunt over the file, timed as the parse is (the best of three: it runs 5-20x
            // longer). Its rate is of the events it read.
            let name = (path as NSString).lastPathComponent
            let ((huntEvents, huntDetections), huntBest) = try Self.bestSeconds(timings: 3, maxPasses: 1_000) { () throws -> (Int, Int) in
                var found = 0
                let outcome = try hunt.scan(BytesInput(bytes), file: name) { _ in found += 1 }
                return (outcome.signals, found)
            }
            let huntRate = Double(huntEvents) / huntBest
            rows.append(["taser hunt (\(hunt.index.entries.count) rules)", String(huntEvents), Self.rate(huntRate),
                         String(format: "%.3f", huntBest) + String(format: "; %.2fx the parse; %d detections", huntRate / mine, huntDetections)])
            out["evtx_hunt_records_per_s"] = .double(huntRate.rounded())
            out["evtx_hunt_ratio_to_parse"] = .double((huntRate / mine * 1000).rounded() / 1000)
            Output.table(["EVTX PARSER", "RECORDS", "RECORDS/S", "SECONDS"], rows)
            return out
        }

        /// The CPU seconds one run of `body` takes, and what its first run gave: a run of a few
        /// milliseconds times badly, so the first sets how many make a tenth of a second a
        /// timing (at most `maxPasses`), and the best of `timings` such timings counts.
        static func bestSeconds<T>(timings: Int, maxPasses: Int, _ body: () throws -> T) rethrows -> (T, Double) {
            let t = ThreadCPU.seconds
            let first = try body()
            let passes = max(1, min(maxPasses, Int(0.1 / max(ThreadCPU.seconds - t, 1e-6))))
            var best = Double.infinity
            for _ in 0..<timings {
                let t0 = ThreadCPU.seconds
                for _ in 0..<passes { _ = try body() }
                best = min(best, (ThreadCPU.seconds - t0) / Double(passes))
            }
            return (first, best)
        }

        /// How many records taser reads from the file, each made into its whole JSON value and
        /// dropped once counted, as a streaming reader would (taser's ingest takes a chunk's
        /// records at a time; the Rust side's Python iterator hands one record's JSON at a time,
        /// which is dropped likewise), rather than all kept and freed together at the end.
        static func evtxRecords(_ bytes: [UInt8]) -> Int {
            var records = 0
            _ = EvtxFile.read(bytes) { r in
                if case .object = r.event { records += 1 }
            }
            return records
        }

        /// The Rust parser's time for the file as JSON, in one Python process: as taser's,
        /// passes enough for a tenth of a second a timing, the best of seven.
        static func rustEvtx(_ path: String) -> (Int, Double)? {
            let script = """
                import sys, time
                import evtx
                def count(path):
                    # The Rust parser stops with an error where taser reports damage and goes
                    # on (an unused chunk at the end, say): count what it read until then.
                    n = 0
                    records = evtx.PyEvtxParser(path).records_json()
                    while True:
                        try:
                            next(records)
                        except StopIteration:
                            return n
                        except Exception:
                            return n
                        n += 1
                t = time.process_time(); n = count(sys.argv[1]); once = time.process_time() - t
                passes = max(1, min(10000, int(0.1 / max(once, 1e-6))))
                best = None
                for _ in range(7):
                    t = time.process_time()
                    for _ in range(passes):
                        n = count(sys.argv[1])
                    d = (time.process_time() - t) / passes
                    best = d if best is None or d < best else best
                print(n, best)
                """
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", "-c", script, path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            do { try p.run() } catch { return nil }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let parts = String(decoding: data, as: UTF8.self).split(separator: " ")
            guard p.terminationStatus == 0, parts.count == 2, let n = Int(parts[0]), let s = Double(parts[1].trimmed), s > 0 else { return nil }
            return (n, s)
        }

        static func rate(_ r: Double) -> String {
            r >= 1_000_000 ? String(format: "%.2fM", r / 1_000_000) : r >= 1000 ? String(format: "%.0fk", r / 1000) : String(format: "%.0f", r)
        }
    }
}
