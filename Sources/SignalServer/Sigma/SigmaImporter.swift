import Foundation
import Model

/// One document read, before references between rules are resolved.
struct SigmaEntry: Sendable {
    enum Body: Sendable {
        case detection(kinds: [String], filter: Filter)
        /// Compiled once every file is read: the rules it references may come later.
        case correlation(SigmaNode)
        /// A Sigma filter: conditions added to the detection rules it lists.
        case filter(rules: [String], filter: Filter, place: Place)
        /// Reported already; kept so references to it say why they fail.
        case failed
    }

    var header: SigmaHeader
    var body: Body
}

/// Reads Sigma files into entries, then resolves what they reference. A class because
/// resolving correlations is recursive (chains) and memoized; it lives for one import.
final class SigmaImporter {
    let mapping: SigmaFieldMapping
    private var entries: [SigmaEntry] = []
    private var problems: [SigmaImport.Problem] = []

    // Resolution state.
    private var lookup: [String: Int] = [:]
    private var compiled: [Int: Rule] = [:]
    private var failed: Set<Int> = []
    private var visiting: Set<Int> = []
    /// Detection index -> whether each correlation referencing it asked for `generate: true`.
    private var referencedBy: [Int: [Bool]] = [:]

    init(mapping: SigmaFieldMapping) {
        self.mapping = mapping
    }

    // MARK: reading

    /// A file, or a directory's `.yml` and `.yaml` files (recursively, in name order). The
    /// files are read on every core at once (each file's documents need no other file: what
    /// they reference is resolved in `finish`), and taken in name order whatever finished
    /// first, so an import's entries, problems and names are the same on every run.
    func add(path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problems.append(.init(path: path, rule: nil, reason: "no such file or directory"))
            return
        }
        guard isDirectory.boolValue else {
            take(SigmaFileReader.read(file: path, mapping: mapping))
            return
        }
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            problems.append(.init(path: path, rule: nil, reason: "cannot list the directory"))
            return
        }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            let lower = relative.lowercased()
            if lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") {
                files.append((path as NSString).appendingPathComponent(relative))
            }
        }
        if files.isEmpty {
            problems.append(.init(path: path, rule: nil, reason: "holds no .yml or .yaml files"))
        }
        files = files.sorted().filter { file in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &isDir) && !isDir.boolValue
        }
        for read in SigmaFileReader.read(files: files, mapping: mapping) { take(read) }
    }

    /// The documents of one file's text (which may hold several).
    func add(yaml text: String, path: String) {
        var reader = SigmaFileReader(mapping: mapping)
        reader.add(yaml: text, path: path)
        take(reader)
    }

    private func take(_ read: SigmaFileReader) {
        entries += read.entries
        problems += read.problems
    }

    private func report(_ header: SigmaHeader, _ issues: [RuleError]) {
        problems += SigmaImport.Problem.issues(issues, of: header)
    }

    // MARK: resolving

    func finish() -> SigmaImport {
        claimNames()
        applyFilters()
        for i in entries.indices {
            if case .correlation = entries[i].body { _ = correlation(i) }
        }
        var rules: [SigmaImport.Imported] = []
        for (i, entry) in entries.enumerated() {
            let header = entry.header
            let title = header.label
            switch entry.body {
            case .detection(let kinds, let filter):
                let rule = Rule(
                    clauses: [Clause(count: 1, kinds: kinds, filter: filter, text: title)], window: 0, groupBy: [],
                    options: RuleOptions(title: title, severity: header.severity, tags: header.tags))
                let generate = referencedBy[i].map { $0.contains(true) } ?? true
                rules.append(.init(name: header.name, title: title, rule: rule, text: header.text, path: header.path, enabled: generate))
            case .correlation:
                if let rule = compiled[i] {
                    rules.append(.init(name: header.name, title: title, rule: rule, text: header.text, path: header.path))
                }
            case .filter, .failed:
                continue
            }
        }
        return SigmaImport(rules: rules, problems: problems)
    }

    /// Each rule's handle must be unique: alerts and chains name rules by it.
    private func claimNames() {
        var owner: [String: Int] = [:]
        for i in entries.indices {
            let header = entries[i].header
            if case .filter = entries[i].body {
                // Filters are not rules and have no handle; they are only looked up by reference.
            } else if let first = owner[header.name] {
                let other = entries[first].header
                report(header, [RuleError(message:
                    "its name '\(header.name)' is already taken by rule '\(other.label)' in \(other.path); give one of them another name or id")])
                entries[i].body = .failed
                continue
            } else {
                owner[header.name] = i
            }
            for key in header.references where lookup[key] == nil { lookup[key] = i }
        }
    }

    private func find(_ reference: String) -> Int? {
        lookup[reference] ?? SigmaHeader.slug(reference).flatMap { lookup[$0] }
    }

    private func applyFilters() {
        for i in entries.indices {
            guard case .filter(let rules, let filter, let place) = entries[i].body else { continue }
            let header = entries[i].header
            for reference in rules {
                guard let target = find(reference) else {
                    report(header, [RuleError("applies to '\(reference)', which no rule in this import names (by name or id)", at: place)])
                    continue
                }
                switch entries[target].body {
                case .detection(let kinds, let ruleFilter):
                    entries[target].body = .detection(kinds: kinds, filter: SigmaFilters.all([ruleFilter, filter]))
                    entries[target].header.text += "---\n" + header.text
                case .failed:
                    continue  // reported where it failed
                default:
                    report(header, [RuleError("applies to '\(reference)', which is not a detection rule", at: place)])
                }
            }
        }
    }

    /// A correlation compiled (once), nil when it could not be.
    private func correlation(_ i: Int) -> Rule? {
        if let rule = compiled[i] { return rule }
        guard !failed.contains(i), case .correlation(let node) = entries[i].body else { return nil }
        visiting.insert(i)
        let generate = entries[i].header.generate
        var compiler = SigmaCorrelationCompiler(mapping: mapping, header: entries[i].header)
        let rule = compiler.compile(node) { (reference, place) throws(RuleError) -> SigmaReferenced in
            try self.referenced(reference, from: i, generate: generate, at: place)
        }
        visiting.remove(i)
        if let rule {
            compiled[i] = rule
        } else {
            failed.insert(i)
            report(entries[i].header, compiler.issues)
        }
        return rule
    }

    private func referenced(_ reference: String, from i: Int, generate: Bool, at place: Place) throws(RuleError) -> SigmaReferenced {
        guard let target = find(reference) else {
            throw RuleError("references '\(reference)', which no rule in this import names (by name or id)", at: place)
        }
        let header = entries[target].header
        switch entries[target].body {
        case .detection(let kinds, let filter):
            referencedBy[target, default: []].append(generate)
            return SigmaReferenced(written: reference, header: header, what: .detection(kinds: kinds, filter: filter))
        case .correlation:
            guard !visiting.contains(target) else {
                throw RuleError("references '\(reference)', which references this rule back (a loop)", at: place)
            }
            guard let rule = correlation(target) else {
                throw RuleError("references '\(reference)', which could not be imported (see its problem)", at: place)
            }
            return SigmaReferenced(written: reference, header: header, what: .correlation(groupBy: rule.groupBy))
        case .filter:
            throw RuleError("references '\(reference)', which is a filter, not a rule", at: place)
        case .failed:
            referencedBy[target, default: []].append(generate)
            throw RuleError("references '\(reference)', which could not be imported (see its problem)", at: place)
        }
    }
}
