import Model

/// One YAML document of a Sigma file: its own text (what an imported rule stores) and where it
/// starts, so problems name file lines.
struct SigmaDocument: Sendable {
    /// 1-based position of the document in its file.
    var number: Int
    var text: String
    /// The file line `text` starts on.
    var firstLine: Int
}

enum SigmaDocuments {
    /// Splits a file at its `---` lines. Each document is parsed on its own, so one broken rule
    /// does not hide the others in a multi-document file (correlations and their rules usually
    /// share one). Documents holding only comments or directives are dropped: there is nothing
    /// in them to import.
    static func split(_ text: String) -> [SigmaDocument] {
        // Lines at each LF byte, not each "\n" Character: "\r\n" is one Character, so a CRLF
        // file split by Characters was one line, and its `---` lines never split it. The CR
        // stays on the line (joined back, the text is as written) and is ignored in `---`.
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(Substring($0)) }
        var out: [SigmaDocument] = []
        var current: [String] = []
        var start = 1

        func flush() {
            let hasContent = current.contains { line in
                let t = line.trimmed
                return !t.isEmpty && !t.hasPrefix("#") && !t.hasPrefix("%") && t != "---" && t != "..."
            }
            if hasContent {
                var body = current
                while let last = body.last, last.trimmed.isEmpty { body.removeLast() }
                out.append(SigmaDocument(number: out.count + 1, text: body.joined(separator: "\n") + "\n", firstLine: start))
            }
            current = []
        }

        for (i, line) in lines.enumerated() {
            let bare = line.hasSuffix("\r") ? String(line.dropLast()) : line
            guard bare == "---" || bare.hasPrefix("--- ") || bare.hasPrefix("---\t") else {
                current.append(line)
                continue
            }
            flush()
            let rest = bare.dropFirst(3).trimmed
            if rest.isEmpty || rest.hasPrefix("#") {
                start = i + 2
            } else {
                // `--- value`: the line carries the document's content; YAML reads it as such.
                current.append(line)
                start = i + 1
            }
        }
        flush()
        return out
    }
}

/// Sigma 1's rule collections: `action: global` sets content merged into every later document
/// of the file, `action: reset` drops it, `action: repeat` takes the previous document and
/// applies this one over it. Rules written this way still circulate, so they are expanded
/// rather than refused.
struct SigmaCollection {
    struct Expanded: Sendable {
        var node: SigmaNode
        /// The documents this one was built from, joined as a multi-document text that imports
        /// to the same rule.
        var text: String
    }

    private var global: Expanded?
    private var previous: Expanded?

    /// The rule a document stands for, or nil for a document that only sets up the collection.
    mutating func expand(_ node: SigmaNode, text: String) throws(RuleError) -> Expanded? {
        guard let actionNode = node["action"] else {
            let merged = global.map { Expanded(node: $0.node.merged(with: node), text: $0.text + "---\n" + text) }
                ?? Expanded(node: node, text: text)
            previous = merged
            return merged
        }
        let body = node.removing("action")
        switch actionNode.text {
        case "global":
            global = Expanded(node: body, text: text)
            return nil
        case "reset":
            global = nil
            return nil
        case "repeat":
            guard let previous else {
                throw RuleError("'action: repeat' needs a rule before it in the same file", at: actionNode.place)
            }
            let merged = Expanded(node: previous.node.merged(with: body), text: previous.text + "---\n" + text)
            self.previous = merged
            return merged
        default:
            throw RuleError(
                "unknown collection action '\(actionNode.text ?? actionNode.shape)'; Sigma knows global, reset and repeat",
                at: actionNode.place)
        }
    }
}

extension SigmaNode {
    /// `other` applied over this node: maps merge key by key, anything else is replaced.
    func merged(with other: SigmaNode) -> SigmaNode {
        guard case .map(var mine) = value, case .map(let theirs) = other.value else { return other }
        for entry in theirs {
            if let i = mine.firstIndex(where: { $0.key == entry.key }) {
                mine[i].value = mine[i].value.merged(with: entry.value)
            } else {
                mine.append(entry)
            }
        }
        return SigmaNode(value: .map(mine), place: other.place)
    }

    func removing(_ key: String) -> SigmaNode {
        guard case .map(let entries) = value else { return self }
        return SigmaNode(value: .map(entries.filter { $0.key != key }), place: place)
    }
}
