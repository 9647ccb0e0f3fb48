import Foundation
import Model
import Testing
@testable import Engine
@testable import Store
@testable import Sync

/// CEF over syslog (RFC 5424 messages, octet-counted frames) to a stand-in collector, plain and TLS.
@Suite struct SyslogForwardingTests {
    static func config(_ collector: SyslogCollector, extra: String = "") -> String {
        """
        defaults: { backoff: 50ms, max_backoff: 200ms, timeout: 20s }
        endpoints:
          siem: { type: syslog, host: 127.0.0.1, port: \(collector.port)\(extra) }
        """
    }

    /// A log entry whose case title and body hold every character CEF escapes.
    static let entry: JSONValue = [
        "id": 30, "seq": 3, "author": "ana", "kind": "note", "body": "x|y=z\\w\nnext",
        "case": ["id": 7, "title": #"Odd | login \ here"#, "severity": "high"],
    ]

    /// `entry`'s frame, written out by hand: local0 and error (high) make PRI 131; the header
    /// escapes `|` and `\`, the extension `=`, `\` and the line break, and leaves `|` alone.
    static func frame(outboxID id: Int64) -> [UInt8] {
        let message = "<131>1 2023-11-14T22:13:20.123Z \(Syslog.hostField(localHostName())) taser - - - "
            + #"CEF:0|taser|taser|9.9.9|case.log|Case log #7: Odd \| login \\ here|8|"#
            + #"rt=1700000000123 externalId=\#(id) cs1Label=taserEntity cs1=case:7 suser=ana msg=ana (note, #3): x|y\=z\\w\nnext"#
        return Array("\(message.utf8.count) \(message)".utf8)
    }

    @Test func cefEscapesExactlyWhatItsSpecificationSays() {
        #expect(CEF.header(#"a\b|c=d"#) == #"a\\b\|c=d"#)
        #expect(CEF.header("one\ntwo\r") == "one two ")
        #expect(CEF.value(#"a|b=c\d"# + "\ne\r") == #"a|b\=c\\d\ne\r"#)
        #expect(CEF.event(vendor: "v", product: "p", version: "1", signature: "s", name: "n", severity: 42, extensions: [("msg", "m")])
            == "CEF:0|v|p|1|s|n|10|msg=m")
        #expect(Syslog.frame("<134>1 é") == Array("9 <134>1 é".utf8))
        #expect(Syslog.hostField("lab host.é") == "labhost." && Syslog.hostField(" ") == "-")
        #expect([0, 2, 5, 8, 10].map { Syslog.severity(cef: $0) } == [6, 5, 4, 3, 2])
    }

    @Test func eachMessageArrivesFramedAndEscapedByteForByte() throws {
        let collector = try SyslogCollector(), w = try World()
        let id = try w.enqueue(id: 7, event: "case.log", payload: Self.entry, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_123))
        try w.drain(try w.siemWorker(Self.config(collector)))
        #expect(try collector.connections(count: 1) == [Self.frame(outboxID: id)])

        // An alert's messages: one connection each, each an exact octet count, each its own id.
        let alert = try w.alert()
        try w.drain(try w.siemWorker(Self.config(collector)))
        let got = try collector.connections(count: try w.outboxCount())
        #expect(got.count == (try w.outboxCount()))
        for bytes in got {
            let text = String(decoding: bytes, as: UTF8.self)
            let length = try #require(text.split(separator: " ", maxSplits: 1).first.flatMap { Int($0) })
            #expect(length == bytes.count - "\(length) ".utf8.count)
        }
        let raised = try #require(got.map { String(decoding: $0, as: UTF8.self) }.first { $0.contains("|alert.created|") })
        #expect(raised.contains("|New alert #\(alert.id): New location for jane.doe|8|rt="))
        #expect(raised.contains(" cs1=alert:\(alert.id) cs2Label=taserRule cs2=new-location msg=Rule new-location for user.name\\=jane.doe: 2 signals"))
        #expect(raised.hasPrefix("\(raised.split(separator: " ")[0]) <131>1 "))
        #expect(Set(got.map { String(decoding: $0, as: UTF8.self).components(separatedBy: " externalId=").dropFirst().first?.prefix { $0 != " " } }).count == got.count)
    }

    @Test func aDroppedConnectionSendsTheSameMessageAgain() throws {
        let collector = try SyslogCollector(), w = try World()
        let id = try w.enqueue(id: 7, event: "case.log", payload: Self.entry, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_123))
        try collector.drop(2)
        try w.drain(try w.siemWorker(Self.config(collector)))
        #expect(try collector.connections(count: 1) == [Self.frame(outboxID: id)])
        let delivered = try #require(try w.deliveries(.delivered).first)
        #expect(delivered.attempts == 3)
    }

    @Test func overTLSTheCertificateIsCheckedAndTheMessageArrives() throws {
        let w = try World()
        let certificate = try TestCertificate(in: w.dir)
        let collector = try SyslogCollector(tls: certificate)
        let id = try w.enqueue(id: 7, event: "case.log", payload: Self.entry, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_123))
        try collector.drop(1)  // the first connection is reset before its handshake
        try w.drain(try w.siemWorker(Self.config(collector, extra: ", tls: true, ca_file: \"\(certificate.cert)\"")))
        #expect(try collector.connections(count: 1).filter { !$0.isEmpty } == [Self.frame(outboxID: id)])
        #expect(try w.deliveries(.delivered).first?.attempts == 2)
    }

    @Test func aCollectorWhoseCertificateIsNotTrustedIsRetriedSayingWhy() throws {
        let w = try World()
        let collector = try SyslogCollector(tls: try TestCertificate(in: w.dir))
        try w.enqueue(id: 7, event: "case.log", payload: Self.entry, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_123))
        let pass = try w.siemWorker(Self.config(collector, extra: ", tls: true")).deliverDue(now: .now)
        #expect(pass.retried == 1)
        let waiting = try #require(try w.deliveries(.pending).first?.lastError)
        #expect(waiting.hasPrefix("syslog over TLS to 127.0.0.1:\(collector.port): ") && waiting.contains("certificate"))
        #expect(try collector.connections().allSatisfy(\.isEmpty))
    }
}
