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
    /// Behavior name -> evaluation, as Okta wrote them.
    private(set) var behaviors: [String: String] = [:]
    private(set) var riskLevel: String?
    private(set) var riskReasons: String?
    /// `behaviors` as Okta's own text, when the event had it.
    private(set) var behaviorsText: String?
    /// Whether logOnlySecurityData named behaviors.
    private(set) var logOnly = false

    /// The behaviors that mean "signed in from somewhere new".
    static let locationBehaviors = ["New Geo-Location", "New Country", "New State", "New City"]

    init(_ debugData: JSONValue?) {
        guard let debugData else { return }
        if let text = debugData.string("behaviors"), !ECS.meansAbsent(text) {
            behaviorsText = text
            for (k, v) in OktaSecurity.map(text) { behaviors[k] = v }
        }
        if let text = debugData.string("risk") {
            let risk = OktaSecurity.map(text)
            riskLevel = risk["level"]
            riskReasons = risk["reasons"]
        }
        // logOnlySecurityData: a JSON string; a pipeline that already parsed it hands an object.
        var logOnly = debugData.at("logOnlySecurityData")
        if case .string(let text)? = logOnly { logOnly = try? JSONValue.parse(text) }
        guard let logOnly, case .object = logOnly else { return }
        for (k, v) in logOnly.at("behaviors")?.objectValue ?? [:] {
            guard let value = v.stringValue else { continue }
            // Either place saying POSITIVE is POSITIVE.
            if behaviors[k] == nil || value.uppercased() == "POSITIVE" { behaviors[k] = value }
            self.logOnly = true
        }
        riskLevel = riskLevel ?? logOnly.string("risk.level")
        riskReasons = riskReasons ?? logOnly.string("risk.reasons")
    }

    func positive(_ behavior: String) -> Bool { behaviors[behavior]?.uppercased() == "POSITIVE" }

    var newLocation: Bool { OktaSecurity.locationBehaviors.contains(where: positive) }

    /// `behaviors` in Okta's text form whichever place they came from, so a rule written
    /// against one (`okta.behaviors CONTAINS "New Country=POSITIVE"`) reads both.
    var text: String? {
        if let behaviorsText, !logOnly { return behaviorsText }
        guard !behaviors.isEmpty else { return nil }
        return "{" + behaviors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
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
