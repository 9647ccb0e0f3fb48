import Foundation
import Model
import Store

/// Splunk's webhook alert action: `{"result": {...first result row...}, "sid", "results_link",
/// "search_name", "owner", "app"}`. Every result field is kept as `splunk.result.<name>`; the
/// common CIM names map to ECS (`src`/`src_ip`, `dest`/`dest_ip`, `src_port`, `dest_port`,
/// `user`, `src_user`, `dest_user`, `host`, `dvc`, `signature`, `action`, `url`, `file_hash`,
/// `process`, `process_name`). The title is the search's name, which is the analyst's own name
/// for the detection.
///
/// Time: `result._time` (epoch seconds, with or without a fraction, epoch milliseconds, or an ISO
/// time). Webhooks often lack `_time` (a `stats` search drops it), so the search's dispatch time
/// serves next: scheduled searches' sids carry it (`scheduler__admin__search__RMD5..._at_1700000000_123`),
/// as do ad hoc ones (`1700000000.123`). The time of delivery never serves: re-sending a payload
/// would move the signal. With neither, the payload is quarantined with that reason.
///
/// Identity: the sid names the search job, but a job triggering "for each result" posts one
/// payload per row under the same sid, so the identity is the sid plus a hash of the result row
/// (canonical JSON: a re-delivered payload is stored once, whatever its formatting).
///
/// Severity: the result's `severity` or `urgency` (ES notables) when it names one; otherwise
/// medium, since a search that alerts is a detection someone chose to be woken by.
struct SplunkFormat: Format {
    let name = "splunk"
    var jsonMarks: [[String]] { [["result", "sid"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, e.has("result", "sid"), case .object? = e["result"] else { return false }
        return e.has("search_name") || e.has("results_link")
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        guard case .object(let result)? = e["result"] else { throw NormalizeError("splunk: result is not an object") }
        guard let sid = e.string("sid") else { throw NormalizeError("splunk: sid is missing") }
        let time = try SplunkFormat.time(result["_time"], sid: sid)
        func first(_ names: String...) -> String? {
            for n in names {
                if let v = VendorJSON.strings(result[n]).first?.trimmingCharacters(in: .whitespaces), !v.isEmpty, v != "-" { return v }
            }
            return nil
        }

        var f: JSONObject = [:]
        for (key, value) in result { f["splunk.result.\(key)"] = value }
        ECS.copy(e, "sid", to: "splunk.sid", into: &f)
        ECS.copy(e, "search_name", to: "splunk.search_name", into: &f)
        ECS.copy(e, "search_name", to: "rule.name", into: &f)
        ECS.copy(e, "results_link", to: "splunk.results_link", into: &f)
        ECS.copy(e, "owner", to: "splunk.owner", into: &f)
        ECS.copy(e, "app", to: "splunk.app", into: &f)
        VendorJSON.address(first("src_ip", "src", "source_ip", "src_host"), side: "source", into: &f)
        VendorJSON.address(first("dest_ip", "dest", "destination_ip", "dest_host"), side: "destination", into: &f)
        if let port = first("src_port").flatMap({ Int64($0) }) { f["source.port"] = .int(port) }
        if let port = first("dest_port").flatMap({ Int64($0) }) { f["destination.port"] = .int(port) }
        ECS.user(first("user", "src_user", "user_name"), into: &f)
        ECS.user(first("dest_user"), prefix: "user.target", into: &f)
        if let host = first("host") { f["host.name"] = .string(host) }
        if let dvc = first("dvc") { f["observer.name"] = .string(dvc) }
        if let signature = first("signature") { f["event.reason"] = .string(signature) }
        if let action = first("action") { f["event.action"] = .string(action) }
        VendorJSON.url(first("url"), into: &f)
        if let agent = first("http_user_agent") { f["user_agent.original"] = .string(agent) }
        if let hash = first("file_hash") {
            switch hash.count {
            case 32: f["file.hash.md5"] = .string(hash)
            case 40: f["file.hash.sha1"] = .string(hash)
            case 64: f["file.hash.sha256"] = .string(hash)
            default: break
            }
        }
        if let file = first("file_name") { f["file.name"] = .string(file) }
        if let name = first("process_name") { f["process.name"] = .string(name) }
        if let cmd = first("process") { f["process.command_line"] = .string(cmd) }

        let severity = first("severity", "urgency").flatMap(Severity.init(parsing:)) ?? .medium
        let search = e.string("search_name") ?? "Splunk alert"
        var about: [String] = []
        if let u = f["user.name"]?.stringValue { about.append("user \(u)") }
        if let s = f["source.address"]?.stringValue { about.append("src \(s)") }
        if let d = f["destination.address"]?.stringValue { about.append("dest \(d)") }
        if about.isEmpty, let h = f["host.name"]?.stringValue { about.append("host \(h)") }
        let title = about.isEmpty ? search : "\(search) (\(about.joined(separator: ", ")))"
        let row = JSONValue.object(result).text
        return [Normalized(
            time: time, source: "splunk", sourceRef: "\(sid):\(Store.sha256Hex(row).prefix(16))", kind: .splunk,
            severity: severity, title: title, fields: f, raw: record.raw,
            texts: ["_raw", "message", "signature", "description", "process"].compactMap { first($0) })]
    }

    /// `_time`, else the dispatch time in the sid; see the type's comment.
    static func time(_ value: JSONValue?, sid: String) throws(NormalizeError) -> Timestamp {
        if let value, value != .string("") {
            if let t = epoch(VendorJSON.double(value)) { return t }
            if let s = value.stringValue, let t = Timestamp(parsing: s) { return t }
            throw NormalizeError("splunk: result._time is not a time: \(value.text.prefix(60))")
        }
        if let t = dispatchTime(sid) { return t }
        throw NormalizeError(
            "splunk: no time: the result has no _time and the sid \(sid) carries no dispatch time; keep _time in the search's results")
    }

    static func epoch(_ seconds: Double?) -> Timestamp? {
        guard let seconds, seconds > 100_000_000 else { return nil }
        return Timestamp(epoch: seconds)
    }

    /// `..._at_1700000000_123` (scheduled, real-time) or `1700000000.123` / `..._1700000000.123`
    /// (ad hoc and dispatched searches).
    static func dispatchTime(_ sid: String) -> Timestamp? {
        func seconds<S: StringProtocol>(_ digits: S) -> Timestamp? {
            guard (9...11).contains(digits.count), digits.allSatisfy(\.isASCII), let n = Int64(digits) else { return nil }
            return Timestamp(ms: n * 1000)
        }
        if let at = sid.range(of: "_at_", options: .backwards) {
            let digits = sid[at.upperBound...].prefix { $0.isNumber }
            if let t = seconds(digits) { return t }
        }
        let last = sid.split(separator: "_").last ?? Substring(sid)
        let parts = last.split(separator: ".")
        if parts.count == 2, parts[1].allSatisfy(\.isNumber) { return seconds(parts[0]) }
        return nil
    }
}
