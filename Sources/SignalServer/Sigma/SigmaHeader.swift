import Model

/// What every Sigma document says about itself: how it is called, how bad a match is, its tags.
struct SigmaHeader: Sendable {
    var path: String
    /// The document's text (with the collection documents it was built from).
    var text: String
    var place: Place
    var title: String?
    var id: String?
    /// `name:` as written: correlations reference rules by it.
    var sigmaName: String?
    /// The stable handle (`failed-login`): from `name`, else `id`, else the title.
    var name: String
    var severity: Severity?
    var tags: [String]
    /// A correlation's `generate: true`: its referenced rules also alert on their own.
    var generate: Bool

    /// How problems call the rule: its title, else its name or id.
    var label: String { title ?? sigmaName ?? id ?? name }

    /// The ways a correlation may reference this rule.
    var references: [String] { [sigmaName, id, name].compactMap { $0 } }

    init(_ node: SigmaNode, path: String, text: String, documentNumber: Int, issues: inout [RuleError]) {
        self.path = path
        self.text = text
        place = node.place
        title = node["title"]?.text?.trimmed
        id = node["id"]?.text?.trimmed
        sigmaName = node["name"]?.text?.trimmed
        name = SigmaHeader.slug(sigmaName ?? "") ?? SigmaHeader.slug(id ?? "") ?? SigmaHeader.slug(title ?? "")
            ?? "sigma-\(SigmaHeader.slug(path) ?? "rule")-\(documentNumber)"
        if title == nil, let t = node["title"] {
            issues.append(RuleError("'title' is \(t.shape); it is one line of text", at: t.place))
        }
        severity = nil
        if let level = node["level"] {
            if let text = level.text, let s = SigmaHeader.levels[text.lowercased()] {
                severity = s
            } else {
                issues.append(RuleError(
                    "level '\(level.text ?? level.shape)' is not a Sigma level (informational, low, medium, high, critical)",
                    at: level.place))
            }
        }
        tags = []
        if let t = node["tags"] {
            if let list = t.texts { tags = list } else { issues.append(RuleError("'tags' is a list of texts", at: t.place)) }
        }
        generate = false
        if let g = node["correlation"]?["generate"] ?? node["generate"] {
            if case .bool(let b) = g.value { generate = b } else { issues.append(RuleError("'generate' is true or false", at: g.place)) }
        }
    }

    /// Sigma's levels, informational being taser's info.
    static let levels: [String: Severity] = [
        "informational": .info, "low": .low, "medium": .medium, "high": .high, "critical": .critical,
    ]

    /// `Failed logins from one host` -> `failed-logins-from-one-host`. Nil when nothing is left.
    static func slug(_ text: String) -> String? {
        var out = ""
        var dash = false
        for c in text.lowercased() {
            if c.isASCII, c.isLetter || c.isNumber {
                if dash, !out.isEmpty { out.append("-") }
                out.append(c)
                dash = false
            } else {
                dash = true
            }
        }
        return out.isEmpty ? nil : out
    }
}
