import Crypto
import Foundation
import Model
import Testing
@testable import AlertEngine

private func ts(_ s: String) -> Timestamp { Timestamp(parsing: s)! }

@Suite struct EmailTests {
    @Test func readsAMultipartMessageWithAttachments() throws {
        let (signals, rejected) = try Fixture.normalize("phish.eml")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        try #require(signals.count == 1)
        let mail = signals[0]
        #expect(mail.kind == .email && mail.source == "email")
        // Issue 13: the relay that handed it over and the sender's domain are artifacts.
        #expect(mail.artifacts.contains { $0.type == .ip && $0.value == "203.0.113.66" && $0.role == "relay" })
        #expect(mail.artifacts.contains { $0.type == .domain && $0.role == "sender_domain" })
        #expect(mail.time == ts("2026-11-03T08:12:44Z"))
        #expect(mail.sourceRef == "20261103081244.4421@evil-invoices.example")
        #expect(mail.field("email.message_id") == "20261103081244.4421@evil-invoices.example")
        #expect(mail.field("email.subject") == "Re: Invoice #4421 – due today")
        #expect(mail.title == "Email: Re: Invoice #4421 – due today (from billing@evil-invoices.example)")
        #expect(mail.field("email.from.address") == "billing@evil-invoices.example")
        #expect(mail.field("email.from.name") == "Acme Billing – Invoices")
        #expect(mail.field("email.sender.address") == "bounce@mailer.evil-invoices.example")
        // As the headers wrote them (issue 13); the email artifacts fold the case.
        #expect(mail.fields["email.to.address"] == .array(["Jane.Doe@corp.example.com", "john.roe@corp.example.com", "finance@corp.example.com"]))
        #expect(mail.fields["email.cc.address"] == .array(["audit@corp.example.com"]))
        #expect(mail.fields["email.reply_to.address"] == .array(["payments@evil-invoices.example"]))
        #expect(mail.field("email.x_mailer") == "Mailer 2.1")
        #expect(mail.field("email.content_type") == "multipart/mixed")

        // Attachments: names (RFC 2231 decoded), SHA-256 of the decoded bytes, sizes.
        #expect(mail.fields["email.attachments.file.name"] == .array(["Invoice_4421.docm", "Résumé.pdf"]))
        let docm: [UInt8] = (0...255).map { UInt8($0) } + Array("PK\u{03}\u{04}word/vbaProject.bin AutoOpen Shell".utf8) + [0x00, 0xFF]
        let docmHash = SHA256.hash(data: docm).map { String(format: "%02x", $0) }.joined()
        #expect(docmHash == "6bf97cc853ff5a194668edab2ad428f65ad3cae6a7e923ee68553f446d854b7a")  // sha256sum of the bytes
        #expect(mail.fields["email.attachments.file.hash.sha256"] == .array([
            .string(docmHash), "790e050dfaa409e20f313e7506a6c6c153d0d91d91d28806163dc4cd1cd1a753",
        ]))
        #expect(mail.fields["email.attachments.file.size"] == .array([296, 29]))
        #expect(mail.fields["email.attachments.file.mime_type"] == .array(["application/vnd.ms-word.document.macroenabled.12", "application/pdf"]))  // MIME types are case-insensitive: lowercased
        #expect(mail.severity == .medium)  // a macro-enabled document

        // Links from the quoted-printable HTML (entities decoded) and the text, once each.
        #expect(mail.artifacts.filter { $0.role == "url" } == [
            ArtifactMention(.url, "https://evil-invoices.example/pay?id=4421&t=9", role: "url"),
            ArtifactMention(.url, "http://198.51.100.7/docs/invoice.html", role: "url"),
        ])
        #expect(mail.texts == ["Dear customer,\nplease pay invoice #4421 today: https://evil-invoices.example/pay?id=4421&t=9.\nThanks – Acme"])

        let artifacts = ArtifactExtractor().artifacts(of: mail)
        #expect(artifacts.contains(ArtifactMention(.email, "billing@evil-invoices.example", role: "sender")))
        #expect(artifacts.contains(ArtifactMention(.email, "finance@corp.example.com", role: "recipient")))
        #expect(artifacts.contains(ArtifactMention(.sha256, docmHash, role: "attachment")))
        #expect(artifacts.contains(ArtifactMention(.filename, "Invoice_4421.docm", role: "attachment")))
    }

    @Test func readsEachMessageOfAnMbox() throws {
        let (signals, rejected) = try Fixture.normalize("reported.mbox")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        try #require(signals.count == 2)
        let first = signals[0], second = signals[1]
        #expect(first.time == ts("2026-11-03T10:00:00Z") && second.time == ts("2026-11-03T11:00:00Z"))
        #expect(first.sourceRef == "m1@bad.example" && second.sourceRef == "m2@spam.example")
        #expect(first.field("email.subject") == "Passwort läuft ab")  // ISO-8859-1 Q-encoded
        #expect(first.title == "Email: Passwort läuft ab (from helpdesk@bad.example)")
        #expect(first.field("email.from.name") == "IT Helpdesk")
        #expect(first.fields["email.to.address"] == .array(["jane.doe@corp.example.com"]))
        #expect(first.severity == .low && first.fields["email.attachments.file.name"] == nil)
        #expect(first.artifacts.filter { $0.role == "url" } == [ArtifactMention(.url, "http://login.bad.example/reset", role: "url")])
        #expect(first.texts == ["Your password expires. Reset at http://login.bad.example/reset (now).\nFrom the IT team."])

        #expect(second.field("email.content_type") == "text/html")
        #expect(second.artifacts.filter { $0.role == "url" } == [ArtifactMention(.url, "https://deals.spam.example/?utm=x&id=7", role: "url")])
        #expect(second.texts == ["Deals & more"])  // no text part: the HTML's text, styles dropped
        #expect(second.title == "Email: Weekly deals (from promo@spam.example)")
    }

    @Test func rejectsAMessageWithoutDate() throws {
        let (signals, rejected) = try Fixture.normalize("nodate.eml")
        #expect(signals.isEmpty)
        try #require(rejected.count == 1)
        #expect(rejected[0].format == "email" && rejected[0].reason == "email: no Date header")
        let broken = Record(payload: .email("From: a@b.example\nDate: someday\n\nhi"), raw: "", origin: "x")
        #expect(throws: NormalizeError("email: Date is not an RFC 5322 date: someday")) { try EmailFormat().normalize(broken) }
    }

    @Test func readsMaildirFilesOneAtATime() throws {
        // A maildir file is a bare message, CRLF line ends and all.
        let text = "Received: by mx\r\nFrom: Jane <jane@example.com>\r\nDate: 3 Nov 26 09:00 -0500\r\nSubject: hi\r\n\r\nsee www.example.com and https://example.com/x\r\n"
        let (records, _) = Framer.frame(Array(text.utf8), name: "cur/1762160000.M1P1.host:2,S")
        try #require(records.count == 1)
        let signals = try EmailFormat().normalize(records[0])
        #expect(signals[0].time == ts("2026-11-03T14:00:00Z"))
        #expect(signals[0].sourceRef == nil)
        #expect(signals[0].artifacts.filter { $0.role == "url" } == [ArtifactMention(.url, "https://example.com/x", role: "url")])
    }

    @Test func decodesHeadersAndBodies() {
        #expect(MIME.decodeWords("=?UTF-8?B?SGVsbG8=?= =?UTF-8?Q?_w=C3=B6rld?= and =?bogus") == "Hello wörld and =?bogus")
        #expect(MIME.decodeWords("plain =?iso-8859-1?q?caf=E9?= text") == "plain café text")
        let list = MIME.addresses("\"Roe, John\" <John@X.example>, undisclosed-recipients:;, team: a@b.example, c@d.example (C);")
        #expect(list.map(\.address) == ["John@X.example", "a@b.example", "c@d.example"])
        #expect(list[0].name == "Roe, John")
        #expect(MIME.quotedPrintable("a=3Db=\nc =C3=A9=\r\n") == Array("a=bc é".utf8))
        #expect(MIME.base64("SGVs\nbG8=\n") == Array("Hello".utf8))
        let ct = MIME.parameterized("attachment; filename*0*=UTF-8''na%C3%AFve; filename*1=\".txt\"; size=12")
        #expect(ct.value == "attachment" && ct.params["filename"] == "naïve.txt" && ct.params["size"] == "12")
        #expect(LogTime.rfc5322("Tue, 03 Nov 2026 09:12:44 +0100") == ts("2026-11-03T08:12:44Z"))
        #expect(LogTime.rfc5322("3 Nov 2026 09:12 GMT") == ts("2026-11-03T09:12:00Z"))
        #expect(LogTime.rfc5322("Tue, 3 Nov 2026 09:12:44 PST (Pacific)") == ts("2026-11-03T17:12:44Z"))
        #expect(LogTime.rfc5322("Tue, 31 Nov 2026 09:12:44 +0000") == nil)
    }

    @Test func risksComeFromAttachmentExtensions() throws {
        func message(attachment name: String) -> Record {
            let text = """
                From: a@b.example
                Date: Tue, 03 Nov 2026 09:12:44 +0000
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/plain

                hi
                --b
                Content-Type: application/octet-stream
                Content-Disposition: attachment; filename="\(name)"
                Content-Transfer-Encoding: base64

                TVqQAAMAAAAEAAAA
                --b--
                """
            return Record(payload: .email(text), raw: text, origin: "x")
        }
        #expect(try EmailFormat().normalize(message(attachment: "invoice.pdf.exe"))[0].severity == .medium)
        #expect(try EmailFormat().normalize(message(attachment: "Budget.XLSM"))[0].severity == .medium)
        let pdf = try EmailFormat().normalize(message(attachment: "invoice.pdf"))[0]
        #expect(pdf.severity == .low)
        #expect(pdf.texts == ["hi"])
        #expect(pdf.fields["email.attachments.file.size"] == .array([12]))
    }
}

@Suite struct CSVTests {
    @Test func readsRowsUnderAHeader() throws {
        let (signals, rejected) = try Fixture.normalize("alerts.csv")
        try #require(signals.count == 3)
        try #require(rejected.count == 1)
        #expect(rejected[0].format == "csv" && rejected[0].reason == "csv: column 'Timestamp' is not a time: 'not-a-date'")
        #expect(rejected[0].origin == "alerts.csv:6")

        let login = signals[0]
        #expect(login.kind == .oktaLoginFailed && login.source == "csv")
        #expect(login.time == ts("2026-11-03T09:00:00Z"))
        #expect(login.sourceRef == "evt-1")
        #expect(login.severity == .high)
        #expect(login.title == "Brute force, many users")
        #expect(login.field("rule.name") == "Brute force, many users")
        #expect(login.field("source.ip") == "185.220.101.4" && login.field("destination.ip") == "10.0.0.5")
        #expect(login.fields["destination.port"] == .int(443))
        #expect(login.field("user.name") == "jane.doe@example.com" && login.field("user.email") == "jane.doe@example.com")
        #expect(login.field("host.name") == "web01")
        #expect(login.field("file.hash.sha256") == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        #expect(login.field("message") == "Login failed for \"jane\", from 185.220.101.4")
        #expect(login.texts == ["Login failed for \"jane\", from 185.220.101.4"])
        #expect(login.field("url.original") == "https://sso.example.com/login")
        #expect(login.field("csv.Timestamp") == "2026-11-03T09:00:00Z")  // the byte order mark is gone
        #expect(login.field("csv.signature") == "Brute force, many users")
        #expect(login.field("csv.kind") == "okta.sso.login_failed")

        let scan = signals[1]
        #expect(scan.kind == .csvRow)  // `nonsense` names no kind
        #expect(scan.time == ts("2026-11-03T09:00:00Z"))  // epoch seconds
        #expect(scan.sourceRef == "evt-2" && scan.severity == .high)
        #expect(scan.field("user.name") == "bob" && scan.field("user.domain") == "CORP")
        #expect(scan.field("message") == "Scan, then\nmore")
        #expect(scan.fields["destination.port"] == nil && scan.field("destination.ip") == nil)
        #expect(scan.field("csv.dest_ip") == "")

        let bare = signals[2]
        #expect(bare.time == ts("2026-11-03T09:00:00.123Z"))  // epoch milliseconds
        #expect(bare.title == "CSV row" && bare.sourceRef == nil && bare.severity == .info && bare.kind == .csvRow)
    }

    @Test func rejectsRowsWithoutTimeColumn() throws {
        let (signals, rejected) = try Fixture.normalize("notime.csv")
        #expect(signals.isEmpty)
        try #require(rejected.count == 1)
        #expect(rejected[0].reason == "csv: no time column (one of @timestamp, timestamp, time, _time, date, datetime, event_time, eventtime, created)")
    }

    @Test func mapsColumnsAndHashes() throws {
        let record = Record(
            payload: .csv(header: ["_time", "event_id", "src", "dst", "src_port", "username", "hash", "domain", "severity"],
                          values: ["1793696400.5", "42", "10.0.0.1", "10.0.0.2", "5000", "ALICE", "D41D8CD98F00B204E9800998ECF8427E", "evil.example", "8"]),
            raw: "", origin: "x")
        let s = try CSVFormat().normalize(record)[0]
        #expect(s.time == ts("2026-11-03T09:00:00.500Z"))
        #expect(s.sourceRef == "42")
        #expect(s.fields["source.port"] == .int(5000))
        #expect(s.field("user.name") == "ALICE")  // verbatim (issue 13)
        #expect(s.field("file.hash.md5") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(s.field("destination.domain") == "evil.example")
        #expect(s.severity == .high && s.fields["event.severity"] == .int(8))
        #expect(CSVFormat().accepts(record) && !CSVFormat().accepts(Record(payload: .line("a,b"), raw: "a,b", origin: "x")))
    }
}
