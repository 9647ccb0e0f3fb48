import Foundation
import Model

/// One selection entry (`Field|modifiers: value or values`) as a filter.
struct SigmaValueCompiler: Sendable {
    let mapping: SigmaFieldMapping

    /// Where the values are looked for: one field, or (for keywords, which name no field) every
    /// text field of the event, or the mapping's keyword fields.
    enum Target: Sendable {
        case field(String)
        case keywords([String])
        case everyField

        func apply(_ test: Test) -> Filter {
            switch self {
            case .field(let f): return .test(field: f, test)
            case .keywords(let fields): return SigmaFilters.any(fields.map { .test(field: $0, test) })
            case .everyField: return .anyField(test)
            }
        }
    }

    /// Sigma: keywords search "across an entire event" (Keywords search, Sigma rules
    /// specification). The correlator sees a signal's normalized fields, not its raw body (the
    /// store keeps the raw beside them, and rules never read it), so a keyword is searched in
    /// every text field: the vendor's own fields are kept verbatim (a Windows event's EventData
    /// values, a log line's `message`), which is the event's text. A mapping file's
    /// `keywords:` narrows the search to the fields it lists.
    var keywordTarget: Target {
        mapping.keywordFields.isEmpty ? .everyField : .keywords(mapping.keywordFields)
    }

    func filter(key: String, keyPlace: Place, value: SigmaNode) throws(RuleError) -> Filter {
        let spec = try SigmaFieldSpec.parse(key, at: keyPlace)
        return try filter(spec: spec, keyPlace: keyPlace, value: value)
    }

    /// The filter of one selection entry, each field read from the event's own field of that
    /// name first, the mapped one otherwise (SigmaOwnFields).
    func filter(spec: SigmaFieldSpec, keyPlace: Place, value: SigmaNode) throws(RuleError) -> Filter {
        var f = try ownFieldFilter(spec: spec, keyPlace: keyPlace, value: value)
        guard let field = spec.field else { return f }
        if SigmaHashes.applies(to: field, mapping: mapping) {
            // Sysmon's own `Hashes` text where the event has it; else the per-algorithm fields
            // other formats fill (when the values can be split that way).
            let split = try? SigmaHashes.filter(SigmaValueCompiler.values(value), plan: try SigmaValuePlan(spec, at: keyPlace), key: spec.key)
            return .any([SigmaFilters.all([.test(field: field, .present), f])] + (split.map { [SigmaFilters.all([.test(field: field, .absent), $0])] } ?? []))
        }
        for name in f.fields.sorted() { f = SigmaOwnFields.wrap(f, own: name, mapped: mapping.field(name)) }
        return f
    }

    private static func values(_ value: SigmaNode) -> [SigmaNode] {
        if case .list(let items) = value.value { return items }
        return [value]
    }

    /// The filter over the fields as the rule names them.
    private func ownFieldFilter(spec: SigmaFieldSpec, keyPlace: Place, value: SigmaNode) throws(RuleError) -> Filter {
        let plan = try SigmaValuePlan(spec, at: keyPlace)
        let values: [SigmaNode]
        switch value.value {
        case .list(let items):
            guard !items.isEmpty else { throw RuleError("'\(spec.key)' has an empty list of values", at: value.place) }
            values = items
        case .map:
            throw RuleError("'\(spec.key)' holds a map; a field takes a value or a list of values", at: value.place)
        default:
            values = [value]
        }

        let target: Target
        var plan2 = plan
        if let field = spec.field {
            target = .field(field)
        } else {
            // Every text field is searched, so what tests text applies; what tests a field as
            // a whole (exists, fieldref, neq: "the field is different") or a number does not.
            let textual: Bool
            switch plan.kind {
            case .text, .regex, .cidr: textual = true
            default: textual = false
            }
            guard textual, !plan.negated else {
                throw RuleError(
                    "'\(spec.key)': a keyword names no field, so only modifiers that test text apply to it (not exists, fieldref, neq or comparisons)",
                    at: keyPlace)
            }
            target = keywordTarget
            if plan2.position == .whole { plan2.position = .contains }
        }

        var each: [Filter] = []
        for v in values { each.append(try filter(v, plan: plan2, target: target, key: spec.key)) }
        let combined = plan.linkAll ? SigmaFilters.all(each) : SigmaFilters.any(each)
        guard plan.negated, case .field(let field) = target else { return combined }
        // `neq`: the field is there and is none of the values (a missing field is not
        // "different", as in every query language Sigma converts to).
        var present: [Filter] = [.test(field: field, .present)]
        if plan.kind == .fieldref {
            for v in values { if let other = v.text { present.append(.test(field: other, .present)) } }
        }
        return SigmaFilters.all(present + [.not(combined)])
    }

    /// One value, which transformations may turn into several alternatives (any may match).
    private func filter(_ node: SigmaNode, plan: SigmaValuePlan, target: Target, key: String) throws(RuleError) -> Filter {
        func fail(_ message: String) -> RuleError { RuleError("'\(key)': \(message)", at: node.place) }
        /// Errors of the encodings know the value, not where it is: give them the key and place.
        func placed<T>(_ body: () throws(RuleError) -> T) throws(RuleError) -> T {
            do { return try body() } catch { throw fail(error.message) }
        }
        func text() throws(RuleError) -> String {
            guard let t = node.text else { throw fail("expects a text value, not \(node.shape)") }
            return t
        }

        switch plan.kind {
        case .exists:
            guard case .bool(let b) = node.value else { throw fail("'exists' takes true or false") }
            // Sigma: `exists` "only verifies the presence of a field, not its value, be it empty
            // or null" (modifiers appendix), so a null field exists.
            return target.apply(.exists(b))
        case .compare(let op):
            let n: Double?
            switch node.value {
            case .number(let d, _): n = d
            case .text(let s): n = Double(s.trimmed)
            default: n = nil
            }
            guard let n, n.isFinite else { throw fail("'\(op.sigmaName)' compares numbers; '\(node.text ?? node.shape)' is not one") }
            return target.apply(.compare(op, n))
        case .cidr:
            let network = try text()
            guard Network(network) != nil else { throw fail("'\(network)' is not a network; write it as 10.0.0.0/8 or 2001:db8::/32") }
            return target.apply(.inCIDR(network))
        case .regex(let insensitive, let multiline, let dotAll):
            // Sigma's flags m and s have no switch in `Test.regex`; ICU reads them inline.
            let pattern = (multiline ? "(?m)" : "") + (dotAll ? "(?s)" : "") + (try text())
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw fail("'\(pattern)' is not a regular expression taser can run")
            }
            return target.apply(.regex(pattern, caseInsensitive: insensitive))
        case .fieldref:
            guard case .field(let field) = target else { throw fail("'fieldref' needs a field") }
            let other = try text()
            guard !SigmaString(sigma: other).hasWildcards else { throw fail("'fieldref' names a field; '\(other)' has wildcards") }
            // Plain values compare ignoring case unless `cased` (modifiers appendix); a field
            // reference is a value read from the event, so it does too. Both fields are read
            // as the rule names them, each through the mapping only when the event lacks it.
            return .sameAs(field: field, other: other, cased: plan.cased)
        case .text:
            break
        }

        let plainValue = plan.steps.isEmpty && plan.position == .whole
        let raw: String
        switch node.value {
        case .null:
            guard plainValue else { throw fail("null (a missing field) cannot be combined with modifiers") }
            return target.apply(.equals(.null))
        case .bool(let b) where plainValue:
            return target.apply(.equals(.bool(b), cased: plan.cased))
        case .number(let d, _) where plainValue:
            return target.apply(.equals(.number(d)))
        case .map, .list:
            throw fail("a value is one text or number, not \(node.shape) inside the list")
        default:
            raw = try text()
        }

        var texts = [raw]
        if plan.steps.contains(.expand) {
            texts = try placed { () throws(RuleError) in try SigmaEncoding.expand(raw, placeholders: mapping.placeholders) }
        }
        var alternatives = texts.map { SigmaString(sigma: $0) }
        for step in plan.steps {
            switch step {
            case .expand: break  // done above: placeholders are found in the text as written
            case .windash:
                var out: [SigmaString] = []
                for a in alternatives { out += try placed { () throws(RuleError) in try SigmaEncoding.windash(a) } }
                alternatives = out
            case .base64(let encoding), .base64offset(let encoding):
                var out: [SigmaString] = []
                for a in alternatives {
                    guard let plain = a.plain else {
                        throw fail("'\(a.display)' has wildcards, which cannot be Base64-encoded")
                    }
                    let bytes = encoding.bytes(plain)
                    if case .base64 = step {
                        out.append(SigmaString(literal: SigmaEncoding.base64(bytes)))
                    } else {
                        out += SigmaEncoding.base64Offsets(bytes).filter { !$0.isEmpty }.map { SigmaString(literal: $0) }
                    }
                }
                alternatives = out
            }
        }
        return SigmaFilters.any(alternatives.map { target.apply($0.test(plan.position, cased: plan.cased)) })
    }
}

extension Comparison {
    /// The Sigma modifier for this comparison, for messages.
    var sigmaName: String {
        switch self {
        case .greater: return "gt"
        case .greaterOrEqual: return "gte"
        case .less: return "lt"
        case .lessOrEqual: return "lte"
        }
    }
}
