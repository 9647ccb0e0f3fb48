import Model

/// Sysmon's `Hashes` field holds every hash of a file in one text
/// (`MD5=...,SHA256=...,IMPHASH=...`), and Sigma rules match it with `contains: 'SHA256=...'`.
/// taser's formats keep each hash in its own ECS field, so a `Hashes` value becomes a test on
/// the hash it names. For process events the hashes are the image's (CarbonBlack fills
/// `process.hash.*`), for file events the file's (Suricata and Wazuh fill `file.hash.*`), so
/// both are tried.
enum SigmaHashes {
    static let field = "Hashes"

    /// Algorithm as Sysmon names it -> the ECS field under `process.` and `file.`.
    static let algorithms: [String: String] = [
        "md5": "hash.md5", "sha1": "hash.sha1", "sha256": "hash.sha256", "imphash": "pe.imphash",
    ]

    /// A mapping file that maps `Hashes` itself takes precedence.
    static func applies(to field: String, mapping: SigmaFieldMapping) -> Bool {
        field == Self.field && mapping.fields[field] == nil
    }

    static func filter(_ values: [SigmaNode], plan: SigmaValuePlan, key: String) throws(RuleError) -> Filter {
        var each: [Filter] = []
        for node in values {
            func fail(_ message: String) -> RuleError { RuleError("'\(key)': \(message)", at: node.place) }
            guard plan.kind == .text, plan.steps.isEmpty, !plan.negated else {
                throw fail("Hashes is split into one field per algorithm, so only contains, startswith, endswith, all and cased apply to it")
            }
            guard let text = node.text else { throw fail("expects ALGORITHM=value, not \(node.shape)") }
            var tests: [Filter] = []
            for part in text.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmed }
                guard pair.count == 2, !pair[1].isEmpty else {
                    throw fail("'\(part)' names no algorithm; Hashes values read ALGORITHM=value (SHA256=...)")
                }
                guard let suffix = algorithms[pair[0].lowercased()] else {
                    throw fail("taser keeps MD5, SHA1, SHA256 and IMPHASH hashes, not '\(pair[0])'")
                }
                // After `ALGO=` comes the start of the hash: `contains`/`startswith` match its
                // beginning; a whole value or `endswith` match all of it.
                let position: SigmaPosition = plan.position == .contains || plan.position == .prefix ? .prefix : .whole
                let test = SigmaString(sigma: pair[1]).test(position, cased: false)
                tests.append(SigmaFilters.any([.test(field: "process." + suffix, test), .test(field: "file." + suffix, test)]))
            }
            guard !tests.isEmpty else { throw fail("expects ALGORITHM=value") }
            each.append(SigmaFilters.all(tests))
        }
        return plan.linkAll ? SigmaFilters.all(each) : SigmaFilters.any(each)
    }
}
