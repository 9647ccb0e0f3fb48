import Engine
import Model

/// The bodies TheHive clients send to change alerts and open cases, checked as TheHive checks
/// them: the first wrong attribute is a 400 `AttributeCheckError` that names it. What taser does
/// not keep is refused by name, never dropped without a word.
enum TheHiveInput {
    typealias HiveError = TheHiveRoutes.HiveError

    static func refuse(_ message: String) -> HiveError {
        HiveError(status: .badRequest, type: "AttributeCheckError", message: message)
    }

    static func object(_ json: JSONValue, _ what: String) throws -> JSONObject {
        guard case .object(let o) = json else { throw refuse("\(what) must be a JSON object") }
        return o
    }

    static func only(_ o: JSONObject, _ allowed: [String], _ what: String) throws {
        for (key, _) in o where !allowed.contains(key) {
            throw refuse("taser does not take \(key.prefix(60)) on \(what); it takes \(allowed.joined(separator: ", "))")
        }
    }

    static func text(_ o: JSONObject, _ key: String, required: Bool = false, max: Int = 1 << 20) throws -> String? {
        guard let v = o[key], v != .null else {
            if required { throw refuse("\(key) is missing") }
            return nil
        }
        guard case .string(let s) = v, !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, s.utf8.count <= max else {
            throw refuse("\(key) must be non-empty text of at most \(max) bytes")
        }
        return s
    }

    static func number(_ o: JSONObject, _ key: String, in range: ClosedRange<Int64>, _ what: String) throws -> Int64? {
        guard let v = o[key], v != .null else { return nil }
        guard case .int(let n) = v, range.contains(n) else { throw refuse("\(key) must be \(what), not \(v.text.prefix(20))") }
        return n
    }

    static func bool(_ o: JSONObject, _ key: String) throws -> Bool? {
        guard let v = o[key], v != .null else { return nil }
        guard case .bool(let b) = v else { throw refuse("\(key) must be true or false") }
        return b
    }

    /// A list of tags: at most `Engine.mostTags`, each a tag taser takes.
    static func tags(_ o: JSONObject, _ key: String) throws -> [String]? {
        guard let v = o[key], v != .null else { return nil }
        guard case .array(let items) = v, items.count <= Engine.mostTags else {
            throw refuse("\(key) must be a list of at most \(Engine.mostTags) tags")
        }
        return try items.map { item in
            guard case .string(let s) = item, let tag = try? Engine.checkTag(s) else {
                throw refuse("\(key): \(item.text.prefix(80)) is not a tag (1 to 64 characters, no control characters)")
            }
            return tag
        }
    }

    static func severity(_ o: JSONObject) throws -> Severity? {
        try number(o, "severity", in: 1...4, "1 (low) to 4 (critical)").flatMap(TheHiveWords.severity)
    }
}

/// `PATCH /api/v1/alert/{id}` (thehive4py's `alert.update`): tags, severity and status.
enum AlertPatch {
    static let keys = ["tags", "addTags", "removeTags", "severity", "status"]

    static func parse(_ json: JSONValue) throws -> AlertUpdate {
        let o = try TheHiveInput.object(json, "an alert update")
        try TheHiveInput.only(o, keys, "an alert update (an alert's title, description and source are the sender's)")
        var update = AlertUpdate(
            tags: try TheHiveInput.tags(o, "tags"), addTags: try TheHiveInput.tags(o, "addTags") ?? [],
            removeTags: try TheHiveInput.tags(o, "removeTags") ?? [], severity: try TheHiveInput.severity(o))
        if let word = try TheHiveInput.text(o, "status", max: 64) {
            guard let (status, reason) = TheHiveWords.alertStatus(word) else {
                throw TheHiveInput.refuse(
                    "status \(word.prefix(40)) is not one taser's alerts take (\(TheHiveWords.alertStatusNames)); an alert is Imported by promoting it: POST /api/v1/alert/{id}/case")
            }
            update.status = status
            update.closeReason = reason
        }
        return update
    }
}

/// `POST /api/v1/case` (`case.create`) and the fields of a promotion (`alert.promote_to_case`).
struct CaseInput {
    var title: String?
    var description: String?
    var severity: Severity?
    var tlp: TLP?
    var pap: PAP?
    var tags: [String]
    var inProgress: Bool
    var assignee: String?

    static let keys = ["title", "description", "severity", "tlp", "pap", "tags", "status", "assignee"]

    /// `promoting`: the fields are overrides, and the alert gives the title.
    static func parse(_ json: JSONValue, promoting: Bool) throws -> CaseInput {
        let o = try TheHiveInput.object(json, "a case")
        try TheHiveInput.only(o, keys, promoting ? "a promotion" : "a case")
        var input = CaseInput(
            title: try TheHiveInput.text(o, "title", required: !promoting, max: 1024),
            description: try TheHiveInput.text(o, "description", required: !promoting), severity: try TheHiveInput.severity(o),
            tlp: try TheHiveInput.number(o, "tlp", in: 0...4, "0 (clear) to 4 (red)").flatMap(TheHiveWords.tlp),
            pap: try TheHiveInput.number(o, "pap", in: 0...3, "0 (clear) to 3 (red)").flatMap(TheHiveWords.pap),
            tags: try TheHiveInput.tags(o, "tags") ?? [], inProgress: false, assignee: try TheHiveInput.text(o, "assignee", max: 320))
        if let status = try TheHiveInput.text(o, "status", max: 64) {
            switch status {
            case "New": break
            case "InProgress": input.inProgress = true
            default: throw TheHiveInput.refuse("a new case is New or InProgress, not \(status.prefix(40)); close it afterwards")
            }
        }
        return input
    }
}

/// `POST /api/v1/alert/{id}/observable` (`alert.create_observable`): one data type, one value or
/// a list of them. Observables become the alert's artifacts; their TLP, PAP, tags and flags are
/// echoed back but taser keeps only the value (as for the observables of a new alert).
struct ObservableInput {
    var dataType: String
    var data: [String]
    var message: String?
    var tlp: Int64
    var pap: Int64
    var tags: [String]
    var ioc: Bool
    var sighted: Bool

    static let keys = ["dataType", "data", "message", "startDate", "tlp", "pap", "tags", "ioc", "sighted", "sightedAt", "ignoreSimilarity"]
    /// Values per request: one observable request is one change, not a bulk import.
    static let mostValues = 1000

    static func parse(_ json: JSONValue) throws -> ObservableInput {
        let o = try TheHiveInput.object(json, "an observable")
        if o["attachment"] != nil || o["isZip"] != nil {
            throw TheHiveInput.refuse("taser keeps no files: an observable with an attachment is not taken; send its hash as a hash observable")
        }
        try TheHiveInput.only(o, keys, "an observable")
        guard let dataType = try TheHiveInput.text(o, "dataType", required: true, max: 64) else { throw TheHiveInput.refuse("dataType is missing") }
        var data: [String]
        switch o["data"] {
        case .string(let s)?: data = [s]
        case .array(let items)?:
            guard items.count <= mostValues else { throw TheHiveInput.refuse("data has \(items.count) values; at most \(mostValues) at once") }
            data = try items.map { item in
                guard case .string(let s) = item else { throw TheHiveInput.refuse("data must be text or a list of texts") }
                return s
            }
        default: throw TheHiveInput.refuse("data is missing (text, or a list of texts)")
        }
        data = data.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard !data.isEmpty, data.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 8192 }) else {
            throw TheHiveInput.refuse("each data value must be non-empty text of at most 8192 bytes")
        }
        return ObservableInput(
            dataType: dataType, data: data, message: try TheHiveInput.text(o, "message", max: 65_536),
            tlp: try TheHiveInput.number(o, "tlp", in: 0...4, "0 (clear) to 4 (red)") ?? 2,
            pap: try TheHiveInput.number(o, "pap", in: 0...3, "0 (clear) to 3 (red)") ?? 2, tags: try TheHiveInput.tags(o, "tags") ?? [],
            ioc: try TheHiveInput.bool(o, "ioc") ?? false, sighted: try TheHiveInput.bool(o, "sighted") ?? false)
    }
}
