import HTTPClient
import Model
import Store

/// CEF over syslog to a SIEM's collector: an RFC 5424 message whose MSG is the CEF event, framed
/// by octet counting (RFC 5425 over TLS, RFC 6587 over plain TCP), one connection per message.
/// A connection refused or dropped before the collector closed it is retried; the CEF
/// `externalId` (the outbox id) lets the SIEM drop a message a retry sent twice.
struct SyslogEndpoint: Endpoint {
    let config: EndpointConfig
    /// taser's version: CEF's Device Version.
    let version: String

    func deliver(_ message: OutboxMessage, _ context: DeliveryContext) throws {
        let e = try ForwardedEvent(message)
        let cef = CEF.event(e, version: version)
        let line = Syslog.message(severity: Syslog.severity(cef: e.scaledSeverity), time: message.createdAt, host: localHostName(), msg: cef)
        let target = StreamTarget(
            host: config.string("host") ?? "", port: config.port, tls: config.usesTLS, caFile: config.string("ca_file"),
            timeout: context.transport.timeout)
        try context.transport.stream(Syslog.frame(line), to: target, what: "syslog\(target.tls ? " over TLS" : "") to \(target.address)")
    }
}

/// The syslog parts: RFC 5424's message and RFC 5425's framing.
enum Syslog {
    /// local0: the facility left to local use, which collectors route by.
    static let facility = 16

    /// RFC 5424's severity for CEF's: very high 2 (critical), high 3 (error), medium 4
    /// (warning), low 5 (notice), 0 6 (informational).
    static func severity(cef: Int) -> Int {
        switch cef {
        case 9...: 2
        case 7...8: 3
        case 4...6: 4
        case 1...3: 5
        default: 6
        }
    }

    /// `<PRI>1 TIMESTAMP HOSTNAME taser - - - MSG`: version 1, no process id, message id or
    /// structured data. The time is the change's, to the millisecond, in UTC.
    static func message(severity: Int, time: Timestamp, host: String, msg: String) -> String {
        "<\(facility * 8 + min(max(severity, 0), 7))>1 \(time.iso8601) \(hostField(host)) taser - - - \(msg)"
    }

    /// RFC 5424's HOSTNAME: 1 to 255 printable ASCII characters; `-` when nothing is left.
    static func hostField(_ name: String) -> String {
        let kept = String(decoding: name.utf8.filter { (33...126).contains($0) }.prefix(255), as: UTF8.self)
        return kept.isEmpty ? "-" : kept
    }

    /// Octet counting: the message's length in bytes, a space, the message (RFC 5425 4.3): the
    /// receiver reads that many bytes, and no byte inside a message can end it early.
    static func frame(_ message: String) -> [UInt8] {
        let bytes = Array(message.utf8)
        return Array("\(bytes.count) ".utf8) + bytes
    }
}
