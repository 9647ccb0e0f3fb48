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

    func add(path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problems.append(.init(path: path, rule: nil, reason: "no such file or directory"))
            return
        }
        guard isDirectory.boolValue else {
            addFile(path)
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
        for file in files.sorted() {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isDir), !isDir.boolValue { addFile(file) }
        }
    }

    private func addFile(_ path: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            problems.append(.init(path: path, rule: nil, reason: "cannot be read"))
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            problems.append(.init(path: path, rule: nil, reason: "is not UTF-8 text; a Sigma rule is a YAML text file"))
            return
        }
        add(yaml: text, path: path)
    }

    func add(yaml text: String, path: String) {
        let documents = SigmaDocuments.split(text)
        if documents.isEmpty {
            problems.append(.init(path: path, rule: nil, reason: "holds no YAML document"))
        }
        var collection = SigmaCollection()
        for document in documents {
            func fileProblem(_ error: RuleError) {
                problems.append(.init(path: path, rule: nil, reason: "document \(document.number): \(error.description)"))
            }
            let node: SigmaNode
            do {
                guard let parsed = try SigmaNode.parse(document.text, firstLine: document.firstLine) else { continue }
                node = parsed
            } catch {
                fileProblem(error)
                continue
            }
            guard node.entries != nil else {
                fileProblem(RuleError(
                    "is not a Sigma rule: it is \(node.shape), where a rule is a map of title, logsource and detection (or correlation)",
                    at: node.place))
                continue
            }
            do {
                guard let expanded = try collection.expand(node, text: document.text) else { continue }
                entries.append(entry(expanded.node, path: path, text: expanded.text, documentNumber: document.number))
            } catch {
                fileProblem(error)
            }
        }
    }

    private func entry(_ node: SigmaNode, path: String, text: String, documentNumber: Int) -> SigmaEntry {
        var issues: [RuleError] = []
        let header = SigmaHeader(node, path: path, text: text, documentNumber: documentNumber, issues: &issues)
        var body = SigmaEntry.Body.failed

        if node["correlation"] != nil {
            if node["detection"] != nil {
                issues.append(RuleError("has both a detection and a correlation; a Sigma document is one or the other", at: node.place))
            }
            body = .correlation(node)
        } else if let detection = node["detection"] {
            let (kinds, condition) = logsource(node, issues: &issues)
            var compiler = SigmaDetectionCompiler(mapping: mapping)
            let filter = compiler.compile(detection).map { f in condition.map { SigmaFilters.all([$0, f]) } ?? f }
            issues += compiler.issues
            if let filter, !kinds.isEmpty {
                // Values are checked where they are read; this is the last word, from the code
                // that will run the filter.
                do {
                    _ = try Matcher(filter)
                    body = .detection(kinds: kinds, filter: filter)
                } catch {
                    issues.append(error)
                }
            }
        } else if let filterNode = node["filter"] {
            body = metaFilter(filterNode, issues: &issues)
        } else {
            issues.append(RuleError("is not a Sigma rule: it has no detection, correlation or filter section", at: node.place))
        }
        if !issues.isEmpty {
            report(header, issues)
            body = .failed
        }
        return SigmaEntry(header: header, body: body)
    }

    /// The kinds the rule's logsource reads, and what its signals must also hold.
    private func logsource(_ node: SigmaNode, issues: inout [RuleError]) -> (kinds: [String], condition: Filter?) {
        guard let logsource = node["logsource"] else {
            issues.append(RuleError("has no logsource, so taser cannot tell which signals it reads", at: node.place))
            return ([], nil)
        }
        guard logsource.entries != nil else {
            issues.append(RuleError("'logsource' is a map of product, service and category", at: logsource.place))
            return ([], nil)
        }
        let product = logsource["product"]?.text, service = logsource["service"]?.text, category = logsource["category"]?.text
        let (kinds, condition) = mapping.logsource(product: product, service: service, category: category)
        if kinds.isEmpty {
            let named = [("product", product), ("service", service), ("category", category)]
                .compactMap { k, v in v.map { "\(k) \($0)" } }.joined(separator: ", ")
            issues.append(RuleError(
                "logsource (\(named.isEmpty ? "empty" : named)) maps to no signal kind; map it under 'logsources:' in a Sigma mapping file",
                at: logsource.place))
        }
        return (kinds, condition)
    }

    /// A Sigma filter document: `filter: {rules: [...], <selections>, condition: ...}`. Its
    /// logsource is not checked against the rules': the rules it lists say where it applies.
    private func metaFilter(_ node: SigmaNode, issues: inout [RuleError]) -> SigmaEntry.Body {
        guard let rules = node["rules"]?.texts, !rules.isEmpty else {
            issues.append(RuleError("a filter lists the rules it applies to under 'rules'", at: node.place))
            return .failed
        }
        var compiler = SigmaDetectionCompiler(mapping: mapping)
        let filter = compiler.compile(node.removing("rules"))
        issues += compiler.issues
        guard let filter else { return .failed }
        return .filter(rules: rules, filter: filter, place: node.place)
    }

    private func report(_ header: SigmaHeader, _ issues: [RuleError]) {
        for issue in issues {
            problems.append(.init(path: header.path, rule: header.label, reason: issue.description))
        }
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
