import Foundation
import Model

/// One Sigma file's documents read into entries, and what is wrong with them: the part of an
/// import that needs no other file, so that `SigmaImporter` reads files on every core at once.
/// What entries reference (correlations' rules, filters' rules) is resolved by the importer
/// once every file is read.
struct SigmaFileReader: Sendable {
    let mapping: SigmaFieldMapping
    private(set) var entries: [SigmaEntry] = []
    private(set) var problems: [SigmaImport.Problem] = []

    init(mapping: SigmaFieldMapping) {
        self.mapping = mapping
    }

    /// Reads one file.
    static func read(file path: String, mapping: SigmaFieldMapping) -> SigmaFileReader {
        var reader = SigmaFileReader(mapping: mapping)
        reader.addFile(path)
        return reader
    }

    /// Reads the files on every core (`Parallel`); the readers in the files' order.
    static func read(files: [String], mapping: SigmaFieldMapping) -> [SigmaFileReader] {
        Parallel.map(files) { read(file: $0, mapping: mapping) }
    }

    /// A Sigma rule file is a few KiB (SigmaHQ's largest is under 100 KiB); a larger file is
    /// refused after reading this much of it, not read whole into memory.
    static let largestFile = 4 << 20

    private mutating func addFile(_ path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            problems.append(.init(path: path, rule: nil, reason: "cannot be read"))
            return
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: SigmaFileReader.largestFile + 1) ?? Data()
        } catch {
            problems.append(.init(path: path, rule: nil, reason: "cannot be read: \(error.localizedDescription)"))
            return
        }
        guard data.count <= SigmaFileReader.largestFile else {
            problems.append(.init(path: path, rule: nil, reason: "is larger than \(ByteCount.text(SigmaFileReader.largestFile)); a Sigma rule file is a few KiB, so it is not read"))
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            problems.append(.init(path: path, rule: nil, reason: "is not UTF-8 text; a Sigma rule is a YAML text file"))
            return
        }
        add(yaml: text, path: path)
    }

    mutating func add(yaml text: String, path: String) {
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

    private mutating func entry(_ node: SigmaNode, path: String, text: String, documentNumber: Int) -> SigmaEntry {
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

    private mutating func report(_ header: SigmaHeader, _ issues: [RuleError]) {
        problems += SigmaImport.Problem.issues(issues, of: header)
    }
}

extension SigmaImport.Problem {
    /// A rule's issues as problems naming its file and the rule.
    static func issues(_ issues: [RuleError], of header: SigmaHeader) -> [Self] {
        issues.map { .init(path: header.path, rule: header.label, reason: $0.description) }
    }
}
