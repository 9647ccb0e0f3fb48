import Foundation
import Model
@testable import SignalServer

// The tree-walking matcher the flat program replaced, kept word for word as the oracle that
// MatcherProgramTests compares the program with (Glob renamed, Network shared).
struct ReferenceMatcher {
    private indirect enum Node: Sendable {
        case all([Node]), any([Node]), not(Node), always
        case test(String, Check)
        case sameAs(String, String, cased: Bool)
        case anyField(Check)
        case exists(String, Bool)
    }

    private enum Check: @unchecked Sendable {
        case equals(FilterValue, cased: Bool)
        /// The needle as bytes, lower-cased unless `cased`.
        case text(Op, [UInt8], cased: Bool)
        case regex(NSRegularExpression)
        case compare(Comparison, Double)
        case network(Network)
        case oneOf([FilterValue], cased: Bool)
        case present, absent
    }

    private enum Op { case contains, prefix, suffix, glob }

    private let root: Node

    init(_ filter: Filter) throws(RuleError) {
        root = try ReferenceMatcher.compile(filter)
    }

    func matches(_ fields: JSONObject) -> Bool { ReferenceMatcher.run(root, fields) }

    /// The same test on one field's value alone (the simulator evaluates a filter once per
    /// distinct value of its field). Nil when the filter reads more than `field`.
    static func singleField(_ filter: Filter) -> String? {
        let fields = filter.fields
        return fields.count == 1 ? fields.first : nil
    }

    private static func compile(_ filter: Filter) throws(RuleError) -> Node {
        switch filter {
        case .all(let fs):
            var nodes: [Node] = []
            for f in fs { nodes.append(try compile(f)) }
            return .all(nodes)
        case .any(let fs):
            var nodes: [Node] = []
            for f in fs { nodes.append(try compile(f)) }
            return .any(nodes)
        case .not(let f): return .not(try compile(f))
        case .always: return .always
        case .sameAs(let a, let b, let cased): return .sameAs(a, b, cased: cased ?? false)
        case .anyField(let test): return .anyField(try check(test))
        case .test(let field, .exists(let b)): return .exists(field, b)
        case .test(let field, let test): return .test(field, try check(test))
        }
    }

    private static func check(_ test: Test) throws(RuleError) -> Check {
        switch test {
        case .equals(let v, let cased): return .equals(v, cased: cased)
        case .contains(let s, let cased): return .text(.contains, Array((cased ? s : s.lowercased()).utf8), cased: cased)
        case .startsWith(let s, let cased): return .text(.prefix, Array((cased ? s : s.lowercased()).utf8), cased: cased)
        case .endsWith(let s, let cased): return .text(.suffix, Array((cased ? s : s.lowercased()).utf8), cased: cased)
        case .glob(let s, let cased): return .text(.glob, Array((cased ? s : s.lowercased()).utf8), cased: cased)
        case .regex(let pattern, let insensitive):
            do {
                return .regex(try NSRegularExpression(pattern: pattern, options: insensitive ? [.caseInsensitive] : []))
            } catch {
                throw RuleError(message: "'\(pattern)' is not a valid regular expression")
            }
        case .compare(let op, let n): return .compare(op, n)
        case .inCIDR(let text):
            guard let network = Network(text) else {
                throw RuleError(message: "'\(text)' is not a network; write it as 10.0.0.0/8 or 2001:db8::/32")
            }
            return .network(network)
        case .oneOf(let values, let cased): return .oneOf(values, cased: cased)
        case .present: return .present
        case .absent: return .absent
        case .exists(let b): return b ? .present : .absent  // as a field's check: null is missing
        }
    }

    private static func run(_ node: Node, _ fields: JSONObject) -> Bool {
        switch node {
        case .all(let nodes): return nodes.allSatisfy { run($0, fields) }
        case .any(let nodes): return nodes.contains { run($0, fields) }
        case .not(let n): return !run(n, fields)
        case .always: return true
        case .sameAs(let a, let b, let cased):
            guard let x = value(fields[a]), let y = value(fields[b]) else { return false }
            if x == y { return true }
            guard let s = x.stringValue, let t = y.stringValue else { return false }
            return cased ? s == t : s.lowercased() == t.lowercased()
        case .exists(let field, let b):
            return (fields[field] != nil) == b
        case .anyField(let check):
            // Text only: a keyword is a string, and `22` in a port number is not a word of the event.
            return fields.contains { member in
                let v = member.value
                switch v {
                case .string: return passes(check, v)
                case .array(let items): return items.contains { if case .string = $0 { return passes(check, $0) } else { return false } }
                default: return false
                }
            }
        case .test(let field, let check):
            return passes(check, value(fields[field]))
        }
    }

    private static func value(_ v: JSONValue?) -> JSONValue? {
        if case .null? = v { return nil }
        return v
    }

    private static func passes(_ check: Check, _ v: JSONValue?) -> Bool {
        switch check {
        case .present: return v != nil
        case .absent: return v == nil
        case .equals(.null, _): return v == nil
        default: break
        }
        guard let v else { return false }
        if case .array(let items) = v { return items.contains { passes(check, value($0)) } }
        switch check {
        case .equals(let expected, let cased): return equal(v, expected, cased: cased)
        case .oneOf(let values, let cased): return values.contains { equal(v, $0, cased: cased) }
        case .text(let op, let needle, let cased):
            guard let s = v.stringValue else { return false }
            let hay = cased ? Array(s.utf8) : lowered(s)
            switch op {
            case .contains: return contains(hay, needle)
            case .prefix: return hay.starts(with: needle)
            case .suffix: return hay.count >= needle.count && hay[(hay.count - needle.count)...].elementsEqual(needle)
            case .glob: return ReferenceGlob.matches(hay[...], needle[...])
            }
        case .regex(let re):
            guard let s = v.stringValue else { return false }
            return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        case .compare(let op, let bound):
            guard let n = number(v) else { return false }
            switch op {
            case .less: return n < bound
            case .lessOrEqual: return n <= bound
            case .greater: return n > bound
            case .greaterOrEqual: return n >= bound
            }
        case .network(let network):
            guard let s = v.stringValue else { return false }
            return network.contains(s)
        case .present, .absent: return true  // handled above
        }
    }

    /// The text's bytes lower-cased: ASCII byte by byte (most of what logs hold), anything
    /// else as `lowercased()` does it, as the needles were.
    static func lowered(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if b >= 0x80 { return Array(s.lowercased().utf8) }
            out.append(b >= 65 && b <= 90 ? b | 0x20 : b)
        }
        return out
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= hay.count else { return false }
        var start = 0
        let last = hay.count - needle.count
        while start <= last {
            if hay[start] == first {
                var k = 1
                while k < needle.count && hay[start + k] == needle[k] { k += 1 }
                if k == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    private static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(s.trimmed)
        default: return nil
        }
    }

    private static func equal(_ v: JSONValue, _ expected: FilterValue, cased: Bool) -> Bool {
        switch expected {
        case .null: return false
        case .bool(let b):
            if case .bool(let x) = v { return x == b }
            return v.stringValue?.lowercased() == (b ? "true" : "false")
        case .number(let n): return number(v) == n
        case .text(let t):
            guard let s = v.stringValue else { return false }
            return cased ? s == t : s.lowercased() == t.lowercased()
        }
    }
}

enum ReferenceGlob {
    static func matches(_ s: ArraySlice<UInt8>, _ p: ArraySlice<UInt8>) -> Bool {
        var s = s, p = p
        var starP: ArraySlice<UInt8>?
        var starS: ArraySlice<UInt8> = []
        while !s.isEmpty {
            if let c = p.first {
                if c == UInt8(ascii: "*") {
                    p = p.dropFirst()
                    starP = p
                    starS = s
                    continue
                }
                if c == UInt8(ascii: "\\"), p.count > 1, p[p.startIndex + 1] == s.first {
                    p = p.dropFirst(2)
                    s = s.dropFirst()
                    continue
                }
                if c == UInt8(ascii: "?") || c == s.first {
                    p = p.dropFirst()
                    s = s.dropFirst()
                    continue
                }
            }
            guard let resume = starP else { return false }
            starS = starS.dropFirst()
            s = starS
            p = resume
        }
        return p.allSatisfy { $0 == UInt8(ascii: "*") }
    }
}

