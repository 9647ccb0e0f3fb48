import Model

/// Sigma's value modifiers (`Field|contains|all`), by the names the specification gives them.
enum SigmaModifier: String, CaseIterable, Sendable {
    case contains, startswith, endswith, all, cased, exists, neq
    case re, i, m, s
    case cidr, base64, base64offset, windash, expand, fieldref
    case wide, utf16le, utf16be, utf16
    case gt, gte, lt, lte
    case minute, hour, day, week, month, year

    /// The name as written; pySigma's long names for the regex flags are accepted too.
    init?(name: String) {
        switch name {
        case "ignorecase": self = .i
        case "multiline": self = .m
        case "dotall": self = .s
        default: self.init(rawValue: name)
        }
    }

    var isTimePart: Bool { [.minute, .hour, .day, .week, .month, .year].contains(self) }
    var isRegexFlag: Bool { [.i, .m, .s].contains(self) }
    var isEncoding: Bool { [.wide, .utf16le, .utf16be, .utf16].contains(self) }
    var isBase64: Bool { self == .base64 || self == .base64offset }

    var position: SigmaPosition? {
        switch self {
        case .contains: return .contains
        case .startswith: return .prefix
        case .endswith: return .suffix
        default: return nil
        }
    }

    var comparison: Comparison? {
        switch self {
        case .gt: return .greater
        case .gte: return .greaterOrEqual
        case .lt: return .less
        case .lte: return .lessOrEqual
        default: return nil
        }
    }
}

/// A selection key: the Sigma field (nil for a keyword, `|all: [...]`) and its modifiers.
struct SigmaFieldSpec: Sendable {
    var field: String?
    var modifiers: [SigmaModifier]
    var key: String

    static func parse(_ key: String, at place: Place) throws(RuleError) -> SigmaFieldSpec {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let field = parts[0].trimmed
        var modifiers: [SigmaModifier] = []
        for name in parts.dropFirst() {
            guard let m = SigmaModifier(name: name.trimmed) else {
                let near = SigmaModifier.allCases.map(\.rawValue)
                    .map { ($0, editDistance($0, name.lowercased())) }
                    .filter { $0.1 <= 3 }
                    .sorted { $0.1 < $1.1 }
                    .prefix(2).map(\.0)
                throw RuleError("unknown modifier '\(name)' in '\(key)'", at: place, suggestions: Array(near))
            }
            modifiers.append(m)
        }
        return SigmaFieldSpec(field: field.isEmpty ? nil : field, modifiers: modifiers, key: key)
    }
}

/// What a selection key's modifiers ask for, checked for combinations taser can express.
struct SigmaValuePlan: Sendable {
    enum Kind: Sendable, Equatable {
        /// Text (or number) compared at a position, after the transformations.
        case text
        case regex(caseInsensitive: Bool, multiline: Bool, dotAll: Bool)
        case cidr
        case exists
        case compare(Comparison)
        case fieldref
    }

    /// A value transformation, in the order written.
    enum Step: Sendable, Equatable {
        case windash
        case base64(SigmaTextEncoding)
        case base64offset(SigmaTextEncoding)
        case expand
    }

    var kind: Kind = .text
    var position: SigmaPosition = .whole
    var linkAll = false
    var cased = false
    /// `neq`: the field is present and equals none of the values.
    var negated = false
    var steps: [Step] = []

    init(_ spec: SigmaFieldSpec, at place: Place) throws(RuleError) {
        func fail(_ message: String) -> RuleError { RuleError("'\(spec.key)': \(message)", at: place) }
        var kindModifier: SigmaModifier?
        var pendingEncoding: (SigmaModifier, SigmaTextEncoding)?
        var regexFlags: (i: Bool, m: Bool, s: Bool) = (false, false, false)

        func setKind(_ k: Kind, _ m: SigmaModifier) throws(RuleError) {
            if let other = kindModifier {
                throw fail("'\(other.rawValue)' and '\(m.rawValue)' cannot be combined")
            }
            kindModifier = m
            kind = k
        }

        for m in spec.modifiers {
            if m.isTimePart {
                throw fail("'\(m.rawValue)' compares a part of a date (Sigma's time modifiers); taser's filters have no test on part of a date yet, so the rule is not imported")
            }
            if let p = m.position {
                if position != .whole { throw fail("only one of contains, startswith and endswith may be given") }
                position = p
                continue
            }
            if let op = m.comparison {
                try setKind(.compare(op), m)
                continue
            }
            switch m {
            case .all: linkAll = true
            case .cased: cased = true
            case .neq: negated = true
            case .re: try setKind(.regex(caseInsensitive: false, multiline: false, dotAll: false), m)
            case .i, .m, .s:
                guard kindModifier == .re else { throw fail("'\(m.rawValue)' is a flag of 're'; write it after re (Field|re|\(m.rawValue))") }
                if m == .i { regexFlags.i = true }
                if m == .m { regexFlags.m = true }
                if m == .s { regexFlags.s = true }
            case .cidr: try setKind(.cidr, m)
            case .exists: try setKind(.exists, m)
            case .fieldref: try setKind(.fieldref, m)
            case .windash: steps.append(.windash)
            case .expand: steps.append(.expand)
            case .wide, .utf16le: pendingEncoding = (m, .utf16le)
            case .utf16be: pendingEncoding = (m, .utf16be)
            case .utf16: pendingEncoding = (m, .utf16)
            case .base64, .base64offset:
                if steps.contains(where: { $0.name.hasPrefix("base64") }) {
                    throw fail("a value is Base64-encoded once; give base64 or base64offset, not both")
                }
                let encoding = pendingEncoding?.1 ?? .utf8
                pendingEncoding = nil
                steps.append(m == .base64 ? .base64(encoding) : .base64offset(encoding))
            default: break
            }
        }
        if let (m, _) = pendingEncoding {
            throw fail("'\(m.rawValue)' only says how to encode a value for base64 or base64offset, which must follow it; taser's fields hold decoded text")
        }
        if case .regex = kind {
            kind = .regex(caseInsensitive: regexFlags.i, multiline: regexFlags.m, dotAll: regexFlags.s)
            if position != .whole {
                throw fail("'re' with contains/startswith/endswith: taser's regexes already match anywhere in the value; anchor with ^ or $ instead")
            }
        }
        if kind != .text {
            if let step = steps.first {
                throw fail("'\(kindModifier?.rawValue ?? "")' takes the value as written, so '\(step.name)' cannot change it")
            }
            if position != .whole {
                throw fail("'\(kindModifier?.rawValue ?? "")' compares whole values, so contains/startswith/endswith cannot be combined with it")
            }
        }
        if negated {
            if linkAll { throw fail("'neq' with 'all' is ambiguous (not every value, or none of them?); write 'not' in the condition instead") }
            switch kind {
            case .text, .fieldref: break
            default: throw fail("'neq' applies to text, numbers and fieldref only")
            }
        }
        if kind == .exists, linkAll || negated { throw fail("'exists' takes one true or false") }
        if position == .whole, steps.contains(where: { if case .base64offset = $0 { return true }; return false }) {
            // base64offset fragments are never whole values: without contains nothing would match.
            throw fail("base64offset gives fragments of a Base64 text; add contains (Field|base64offset|contains)")
        }
    }
}

extension SigmaValuePlan.Step {
    var name: String {
        switch self {
        case .windash: return "windash"
        case .base64: return "base64"
        case .base64offset: return "base64offset"
        case .expand: return "expand"
        }
    }
}
