import Foundation
import Model
import Store

/// One outbox message as the SIEM forwarders (Splunk HEC, Elasticsearch, CEF over syslog) tell
/// it: a headline, the change in a line, a severity. Worked out once here, so the three say the
/// same thing about the same message.
struct ForwardedEvent {
    let message: OutboxMessage
    let payload: JSONValue
    /// `New alert #4: New location for jane.doe`: what a SIEM lists the event by.
    let headline: String
    /// The change itself: the log entry, the rule behind an alert, a question or a page.
    let text: String
    /// The alert's or case's severity (a log entry's case's), when the message carries one.
    let severity: Severity?

    init(_ message: OutboxMessage) throws {
        self.message = message
        let p = try message.json()
        payload = p
        let id = p.int("id").map { " #\($0)" } ?? ""
        let title = p.string("title") ?? ""
        switch message.event {
        case "alert.created", "alert.updated":
            headline = (message.event == "alert.created" ? "New alert" : "Alert updated") + "\(id): \(title)"
            var line = "Rule \(p.string("rule") ?? "?")"
            if let key = p.string("group_key"), !key.isEmpty { line += " for \(key)" }
            line += ": \(p.int("signal_count") ?? 0) signals, \(p.string("status") ?? "new")"
            if let c = p.int("case") { line += ", in case #\(c)" }
            text = line
            severity = p.string("severity").flatMap(Severity.init(parsing:))
        case "case.created", "case.updated":
            headline = (message.event == "case.created" ? "New case" : "Case updated") + "\(id): \(title)"
            text = p["change"]?.string("body") ?? p.string("description") ?? ""
            severity = p.string("severity").flatMap(Severity.init(parsing:))
        case "case.log":
            let c = p["case"]
            headline = "Case log" + (c?.int("id").map { " #\($0)" } ?? "") + ": \(c?.string("title") ?? "")"
            text = "\(p.string("author") ?? "?") (\(p.string("kind") ?? "note"), #\(p.int("seq") ?? 0)): \(p.string("body") ?? "")"
            severity = c?.string("severity").flatMap(Severity.init(parsing:))
        case "slack.ask":
            headline = "Question" + (p.int("case_id").map { " on case #\($0)" } ?? "") + " to \(p.string("user_email") ?? p.string("channel") ?? "Slack")"
            text = p.string("text") ?? ""
            severity = nil
        case "page":
            headline = "Page" + (p.int("case_id").map { " for case #\($0)" } ?? "") + (p.string("oncall").map { " to \($0)" } ?? "")
            text = p.string("text") ?? ""
            severity = p.string("severity").flatMap(Severity.init(parsing:))
        default:
            headline = "taser \(message.event)"
            text = ""
            severity = p.string("severity").flatMap(Severity.init(parsing:))
        }
    }

    /// The severity on CEF's 0-10 scale, which ECS's `event.severity` shares here: info 0,
    /// low 3, medium 5, high 8, critical 10 (CEF's bands: 0-3 low, 4-6 medium, 7-8 high,
    /// 9-10 very high). Without one, 0.
    var scaledSeverity: Int {
        switch severity {
        case .critical?: 10
        case .high?: 8
        case .medium?: 5
        case .low?: 3
        case .info?, nil: 0
        }
    }

    /// `case:12`: the thing in taser the message is about.
    var entity: String { "\(message.entityType):\(message.entityID)" }

    /// The headline and the text on one line of a log viewer.
    var summary: String { text.isEmpty ? headline : "\(headline) - \(text)" }
}

/// The name of the machine taser runs on: the host a SIEM files forwarded events under, and
/// the host part of a worker's lease.
func localHostName() -> String {
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, host.count)
    return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
