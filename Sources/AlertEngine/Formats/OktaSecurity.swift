import Model

/// What Okta's behavior detection and risk scoring say about a sign-in, from both places Okta
/// writes it in `debugContext.debugData`:
/// - `behaviors` and `risk`: text in Okta's map syntax, `{New Geo-Location=POSITIVE, New
///   Device=NEGATIVE}` and `{reasons=Anomalous Location, level=MEDIUM}`;
/// - `logOnlySecurityData`: a JSON *string* holding `{"risk":{"level":"LOW"},"behaviors":{"New
///   Geo-Location":"NEGATIVE","New Device":"POSITIVE",...}}`. Newer orgs write only this one, so
///   reading only `behaviors` stored their new-country sign-ins as plain logins.
///
/// A behavior is POSITIVE when either place says so (see Okta's "Behavior detection System Log
/// events": POSITIVE, NEGATIVE, UNKNOWN, BAD_REQUEST).
struct OktaSecurity {
    /// `behaviors` as Okta's own text, when the event had it. Read by scanning for the few
    /// behaviors asked about: every sign-in has this text, and a dictionary of it per event
    /// cost more than the rest of Okta's normalizing.
    private(set) var behaviorsText: String?
    private var behaviorsBytes: [UInt8] = []
    /// Behavior name -> evaluation from logOnlySecurityData, when the event had it.
    private var logOnlyBehaviors: [String: String] = [:]
    private(set) var riskLevel: String?
    private(set) var riskReasons: String?

    /// The behaviors that mean "signed in from somewhere new".
    static let locationBehaviors = ["New Geo-Location", "New Country", "New State", "New City"]

    init(_ debugData: JSONValue?) {
        guard let debugData else { return }
        if let text = debugData.string("behaviors"), !ECS.meansAbsent(text) {
            behaviorsText = text
            behaviorsBytes = Array(text.utf8)
        }
        if let text = debugData.string("risk") {
            riskLevel = OktaSecurity.value(of: "level", in: text)
            riskReasons = OktaSecurity.value(of: "reasons", in: text)
        }
        // logOnlySecurityData: a JSON string; a pipeline that already parsed it hands an object.
        var logOnly = debugData.at("logOnlySecurityData")
        if case .string(let text)? = logOnly { logOnly = try? JSONValue.parse(text) }
        guard let logOnly, case .object = logOnly else { return }
        for (k, v) in logOnly.at("behaviors")?.objectValue ?? [:] {
            if let value = v.stringValue { logOnlyBehaviors[k] = value }
        }
        riskLevel = riskLevel ?? logOnly.string("risk.level")
        riskReasons = riskReasons ?? logOnly.string("risk.reasons")
    }

    /// Whether the event says anything of behaviors at all.
    var hasBehaviors: Bool { behaviorsText != nil || !logOnlyBehaviors.isEmpty }

    /// Either place saying POSITIVE is POSITIVE.
    func positive(_ behavior: String) -> Bool {
        if logOnlyBehaviors[behavior]?.uppercased() == "POSITIVE" { return true }
        return OktaSecurity.value(of: behavior, in: behaviorsBytes)?.uppercased() == "POSITIVE"
    }

    var newLocation: Bool { OktaSecurity.locationBehaviors.contains(where: positive) }

    /// `behaviors` in Okta's text form whichever place they came from, so a rule written
    /// against one (`okta.behaviors CONTAINS "New Country=POSITIVE"`) reads both.
    var text: String? {
        guard !logOnlyBehaviors.isEmpty else { return behaviorsText }
        var merged = behaviorsText.map(OktaSecurity.map) ?? [:]
        for (k, v) in logOnlyBehaviors where merged[k] == nil || v.uppercased() == "POSITIVE" { merged[k] = v }
        return "{" + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
    }

    /// One key's value in Okta's map text (`{a=b, c=d}`), without reading the rest: a byte
    /// search (the standard library's `firstRange(of:)` cost more than all of Okta's fields).
    static func value(of key: String, in text: String) -> String? { value(of: key, in: Array(text.utf8)) }

    static func value(of key: String, in t: [UInt8]) -> String? {
        let k = Array(key.utf8)
        guard !k.isEmpty, t.count > k.count else { return nil }
        var i = 0
        while i + k.count < t.count {
            // At a key's start (after `{`, `,` and spaces), the key then `=`.
            if t[i] == k[0], t[i + k.count] == UInt8(ascii: "="), t[i..<(i + k.count)].elementsEqual(k) {
                var b = i - 1
                while b >= 0, t[b] == UInt8(ascii: " ") { b -= 1 }
                if b < 0 || t[b] == UInt8(ascii: "{") || t[b] == UInt8(ascii: ",") {
                    let start = i + k.count + 1
                    var end = start
                    while end < t.count, t[end] != UInt8(ascii: ","), t[end] != UInt8(ascii: "}") { end += 1 }
                    return String(decoding: t[start..<end], as: UTF8.self).trimmed
                }
            }
            i += 1
        }
        return nil
    }

    /// Okta's map text, `{a=b, c=d}`, as a dictionary. A value may hold neither `,` nor `=`
    /// in this syntax, so splitting on them is what Okta's own parsers do.
    static func map(_ text: String) -> [String: String] {
        var body = Substring(text.trimmed)
        if body.hasPrefix("{") { body = body.dropFirst() }
        if body.hasSuffix("}") { body = body.dropLast() }
        var out: [String: String] = [:]
        for pair in body.split(separator: ",") {
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let key = pair[..<eq].trimmed
            guard !key.isEmpty else { continue }
            out[key] = pair[pair.index(after: eq)...].trimmed
        }
        return out
    }
}
