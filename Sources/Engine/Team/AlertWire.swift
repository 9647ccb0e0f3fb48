import Model

/// The queue's pages through the daemon travel as compact arrays, one per alert, written and
/// read with taser's own JSON (`JSONValue`): Foundation's JSONDecoder on Linux costs about
/// 40 µs per alert, so a 48-row page was 2 ms of a keystroke's 10. The order of the fields is
/// the protocol's (docs/team-mode.md); a malformed one is refused, never guessed.
public enum AlertWire {
    static func value(_ a: Alert) -> JSONValue {
        func time(_ t: Timestamp?) -> JSONValue { t.map { .int($0.ms) } ?? .null }
        var fields: [JSONValue] = [
            .int(a.id), .string(a.rule), .string(a.groupKey), time(a.firstSignalAt), time(a.lastSignalAt),
            .string(a.status.rawValue), .int(Int64(a.severity.rawValue)), .string(a.title), a.team.map { .string($0) } ?? .null,
            a.caseID.map { .int($0) } ?? .null, .int(a.createdAt.ms), .int(a.updatedAt.ms), .int(Int64(a.signalCount)),
        ]
        if let c = a.closing { fields += [.string(c.reason.rawValue), .string(c.by), .int(c.at.ms)] }
        return .array(fields)
    }

    public static func text(_ alerts: [Alert]) -> String { JSONValue.array(alerts.map(value)).text }

    struct Malformed: Error, CustomStringConvertible {
        var description: String { "a malformed alert in the daemon's answer" }
    }

    static func alert(_ value: JSONValue) throws -> Alert {
        guard case .array(let f) = value, f.count == 13 || f.count == 16 else { throw Malformed() }
        func int(_ i: Int) throws -> Int64 {
            guard case .int(let n) = f[i] else { throw Malformed() }
            return n
        }
        func string(_ i: Int) throws -> String {
            guard case .string(let s) = f[i] else { throw Malformed() }
            return s
        }
        func time(_ i: Int) throws -> Timestamp? { f[i] == .null ? nil : Timestamp(ms: try int(i)) }
        guard let status = AlertStatus(rawValue: try string(5)), let severity = Severity(rawValue: Int(clamping: try int(6))),
            let count = Int(exactly: try int(12))
        else { throw Malformed() }
        var closing: AlertClosing?
        if f.count == 16 {
            guard let reason = AlertCloseReason(rawValue: try string(13)) else { throw Malformed() }
            closing = AlertClosing(reason: reason, by: try string(14), at: Timestamp(ms: try int(15)))
        }
        return Alert(
            id: try int(0), rule: try string(1), groupKey: try string(2), firstSignalAt: try time(3), lastSignalAt: try time(4),
            status: status, severity: severity, title: try string(7), team: f[8] == .null ? nil : try string(8),
            caseID: f[9] == .null ? nil : try int(9), createdAt: Timestamp(ms: try int(10)), updatedAt: Timestamp(ms: try int(11)),
            signalCount: count, closing: closing)
    }

    public static func alerts(_ text: String) throws -> [Alert] {
        guard case .array(let rows) = try JSONValue.parse(text) else { throw Malformed() }
        return try rows.map(alert)
    }
}
