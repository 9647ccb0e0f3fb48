import Foundation
import Model
import Testing
@testable import AlertEngine

private func ts(_ s: String) -> Timestamp { Timestamp(parsing: s)! }
private func line(_ s: String) -> Record { Record(payload: .line(s), raw: s, origin: "test:1") }

@Suite struct SyslogTests {
    let reference = ts("2026-11-03T12:00:00Z")

    @Test func readsRFC5424WithStructuredData() {
        // RFC 5424 section 6.5, example 3.
        let m = Syslog.parse(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"] \u{FEFF}An application event log entry...",
            reference: reference)
        #expect(m.header == .rfc5424)
        #expect(m.priority == 165 && m.facility == 20 && m.severity == 5 && m.version == 1)
        #expect(m.timestamp == ts("2003-10-11T22:14:15.003Z"))
        #expect(m.hostname == "mymachine.example.com" && m.appName == "evntslog" && m.procID == nil && m.msgID == "ID47")
        #expect(m.structuredData["exampleSDID@32473"]?["eventSource"] == "Application")
        #expect(m.structuredData["examplePriority@32473"]?["class"] == "high")
        #expect(m.message == "An application event log entry...")
        var f = JSONObject()
        Syslog.fields(m, into: &f)
        #expect(f["log.syslog.priority"] == .int(165))
        #expect(f["log.syslog.facility.code"] == .int(20) && f["log.syslog.facility.name"] == .string("local4"))
        #expect(f["log.syslog.severity.code"] == .int(5) && f["log.syslog.severity.name"] == .string("notice"))
        #expect(f["log.syslog.hostname"] == .string("mymachine.example.com"))
        #expect(f["observer.hostname"] == .string("mymachine.example.com"))
        #expect(f["log.syslog.appname"] == .string("evntslog") && f["log.syslog.msgid"] == .string("ID47"))
    }

    @Test func readsRFC5424NilFieldsAndEscapedParameters() {
        let m = Syslog.parse(
            #"<34>1 2003-10-11T22:14:15.003+02:00 - su 42 - [a@1 v="x \"y\" \] \\z"] 'su root' failed"#, reference: reference)
        #expect(m.timestamp == ts("2003-10-11T20:14:15.003Z"))
        #expect(m.hostname == nil && m.appName == "su" && m.procID == "42" && m.msgID == nil)
        #expect(m.structuredData["a@1"]?["v"] == #"x "y" ] \z"#)
        #expect(m.message == "'su root' failed")
    }

    @Test func readsRFC3164() {
        let m = Syslog.parse("<13>Nov  3 09:12:44 host01 sshd[4242]: Failed password for root", reference: reference)
        #expect(m.header == .rfc3164)
        #expect(m.priority == 13 && m.facility == 1 && m.severity == 5)
        #expect(m.timestamp == ts("2026-11-03T09:12:44Z"))
        #expect(m.hostname == "host01" && m.appName == "sshd" && m.procID == "4242")
        #expect(m.message == "Failed password for root")

        // No PRI (a file under /var/log), a tag without pid.
        let file = Syslog.parse("Oct 11 22:14:15 mymachine su: 'su root' failed", reference: reference)
        #expect(file.priority == nil && file.hostname == "mymachine" && file.appName == "su")
        #expect(file.timestamp == ts("2026-10-11T22:14:15Z"))
        #expect(file.message == "'su root' failed")

        // A year after the time (Cisco) and an RFC 3339 time instead of the BSD one.
        #expect(Syslog.parse("<189>Nov 03 2024 09:30:00 waf-1 x", reference: reference).timestamp == ts("2024-11-03T09:30:00Z"))
        let iso = Syslog.parse("2026-11-03T10:05:15.546+01:00 192.168.2.5 CEF:0|a", reference: reference)
        #expect(iso.timestamp == ts("2026-11-03T09:05:15.546Z") && iso.hostname == "192.168.2.5" && iso.message == "CEF:0|a")
    }

    /// RFC 3164 has no year: the latest year that puts the time no more than a day after the
    /// reference.
    @Test func infersTheYearOfBSDTimes() {
        func time(_ text: String, at reference: String) -> Timestamp? {
            Syslog.parse("<13>\(text) host app: x", reference: ts(reference)).timestamp
        }
        #expect(time("Dec 31 23:59:00", at: "2027-01-01T00:30:00Z") == ts("2026-12-31T23:59:00Z"))
        #expect(time("Jan  1 00:10:00", at: "2026-12-31T23:00:00Z") == ts("2027-01-01T00:10:00Z"))
        #expect(time("Nov  4 11:00:00", at: "2026-11-03T12:00:00Z") == ts("2026-11-04T11:00:00Z"))
        #expect(time("Nov  5 12:00:01", at: "2026-11-03T12:00:00Z") == ts("2025-11-05T12:00:01Z"))
        #expect(time("Feb 29 10:00:00", at: "2027-03-01T00:00:00Z") == ts("2024-02-29T10:00:00Z"))
    }

    @Test func linesWithoutHeaderOrWithOnlyPRI() {
        let bare = Syslog.parse("CEF:0|a|b|c|d|e|1|", reference: reference)
        #expect(bare.header == .none && bare.priority == nil && bare.message == "CEF:0|a|b|c|d|e|1|")
        let pri = Syslog.parse("<134>CEF:0|a|b|c|d|e|1|", reference: reference)
        #expect(pri.header == .rfc3164 && pri.priority == 134 && pri.timestamp == nil && pri.message == "CEF:0|a|b|c|d|e|1|")
        let noHost = Syslog.parse("<134>Nov  3 09:00:00 CEF:0|a|b", reference: reference)
        #expect(noHost.hostname == nil && noHost.message == "CEF:0|a|b")
        let plain = Syslog.parse("just a line: with words", reference: reference)
        #expect(plain.header == .none && plain.message == "just a line: with words")
    }
}

@Suite struct CEFTests {
    @Test func readsCEFFromSeveralVendors() throws {
        let (signals, rejected) = try Fixture.normalize("cef.log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        try #require(signals.count == 5)
        #expect(signals.allSatisfy { $0.kind == .cef && $0.source == "cef" })

        // Palo Alto over RFC 3164: rt with a zone, custom strings with labels, escaped '=' in a URL.
        let pan = signals[0]
        #expect(pan.title == "Palo Alto Networks PAN-OS: THREAT")
        #expect(pan.time == ts("2026-11-03T08:12:44Z"))
        #expect(pan.severity == .high && pan.fields["event.severity"] == .int(7))
        #expect(pan.sourceRef == "7291833")
        #expect(pan.field("observer.vendor") == "Palo Alto Networks" && pan.field("observer.product") == "PAN-OS")
        #expect(pan.field("observer.version") == "10.2.3" && pan.field("event.code") == "spyware")
        #expect(pan.field("observer.hostname") == "fw01.example.com" && pan.field("log.syslog.hostname") == "fw01.example.com")
        #expect(pan.fields["log.syslog.priority"] == .int(14) && pan.fields["log.syslog.severity.code"] == .int(6))
        #expect(pan.field("source.ip") == "10.1.2.3" && pan.field("destination.ip") == "203.0.113.7")
        #expect(pan.fields["source.port"] == .int(50312) && pan.fields["destination.port"] == .int(443))
        #expect(pan.field("network.transport") == "tcp")
        #expect(pan.field("user.name") == "jdoe" && pan.field("user.domain") == "corp")
        #expect(pan.field("source.user.name") == "jdoe" && pan.field("source.user.domain") == "corp")
        #expect(pan.field("event.action") == "reset-both")
        #expect(pan.field("url.original") == "https://evil.example.net/gate.php?id=42&x=1")
        #expect(pan.field("cef.rule") == "Block C2 traffic")
        #expect(pan.field("cef.threat_name") == "Cobalt Strike Beacon(86246)")
        #expect(pan.fields["cef.session_id"] == .int(48213))
        #expect(pan.field("message") == "C2 beacon to evil.example.net blocked\nby policy")
        #expect(pan.texts.contains("C2 beacon to evil.example.net blocked\nby policy"))
        #expect(pan.field("cef.extensions.deviceExternalId") == "013201001234")
        #expect(pan.field("cef.extensions.cs2Label") == "Threat Name")
        #expect(pan.field("cef.extensions.request") == "https://evil.example.net/gate.php?id=42&x=1")

        // Trend Micro over RFC 5424 with structured data; no rt, so the header's time.
        let ds = signals[1]
        #expect(ds.title == "Trend Micro Deep Security Agent: Eicar_test_file")
        #expect(ds.time == ts("2026-11-03T08:15:02.120Z"))
        #expect(ds.severity == .medium && ds.sourceRef == nil)
        #expect(ds.field("log.syslog.hostname") == "dsm01.corp.example.com" && ds.field("log.syslog.appname") == "CEF")
        #expect(ds.field("observer.hostname") == "ws-042.corp.example.com" && ds.field("observer.ip") == "10.20.0.5")
        let sd = ds.fields["log.syslog.structured_data"]
        #expect(sd?.at("meta@32473")?.string("note") == #"a "quoted" ] value"#)
        #expect(ds.fields["cef.host_id"] == .int(1))
        #expect(ds.field("file.name") == "eicar.com")
        #expect(ds.field("file.path") == #"C:\Users\jdoe\Downloads\eicar.com"#)
        #expect(ds.field("file.hash.sha256") == "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f")
        #expect(ds.field("host.name") == "ws-042" && ds.field("user.name") == "jdoe" && ds.field("user.domain") == "CORP")
        #expect(ds.field("cef.extensions.TrendMicroDsTenant") == "Primary")

        // The spec's escaping examples, without any syslog header.
        let esc = signals[2]
        #expect(esc.title == "security threatmanager: detected a | in message")
        #expect(esc.field("cef.name") == "detected a | in message")
        #expect(esc.time == ts("2026-11-03T08:20:00Z"))
        #expect(esc.severity == .critical)
        #expect(esc.field("event.action") == "blocked a = sign")
        #expect(esc.field("destination.ip") == "1.1.1.1")
        #expect(esc.field("message") == "path C:\\temp\\x and a | pipe\r\nnext")
        #expect(esc.field("source.domain") == "laptop-7")
        #expect(esc.artifacts.contains(ArtifactMention(.host, "laptop-7", role: "src")))
        #expect(esc.field("host.name") == "files.example.org" && esc.field("destination.domain") == "files.example.org")
        #expect(esc.fields["log.syslog.priority"] == nil && esc.field("observer.hostname") == nil)

        // Full key names, a textual severity, start with milliseconds and a zone, escaped header.
        let waf = signals[3]
        #expect(waf.field("cef.device_vendor") == #"Acme\Labs"#)
        #expect(waf.title == #"Acme\Labs Web Shield: SQL injection attempt"#)
        #expect(waf.severity == .critical && waf.fields["event.severity"] == nil && waf.field("cef.severity") == "Very-High")
        #expect(waf.time == ts("2026-11-03T09:29:58.250Z"))
        #expect(waf.sourceRef == "WS-99812")
        #expect(waf.field("source.ip") == "198.51.100.23" && waf.field("destination.ip") == "192.0.2.10")
        #expect(waf.fields["source.port"] == .int(61022) && waf.fields["destination.port"] == .int(8443))
        #expect(waf.field("source.mac") == "00:1A:2B:3C:4D:5E" && waf.field("destination.mac") == "00-50-56-AA-BB-CC")
        // Verbatim, case and all (issue 13); artifacts fold the case.
        #expect(waf.field("destination.user.name") == "Admin@Example.com" && waf.field("destination.user.email") == "Admin@Example.com")
        #expect(waf.field("http.request.method") == "POST")
        #expect(waf.field("url.original") == "https://shop.example.com/login?user=admin' OR 1=1--")
        #expect(waf.field("user_agent.original") == "Mozilla/5.0 (Windows NT 10.0; Win64; x64) sqlmap/1.7")
        #expect(waf.field("network.transport") == "tcp" && waf.field("network.iana_number") == "6")
        #expect(waf.field("event.outcome") == "blocked")
        #expect(waf.field("cef.attack_vector") == "param user")
        #expect(waf.field("cef.extensions.sourceAddress") == "198.51.100.23")
        #expect(waf.fields["log.syslog.facility.code"] == .int(23) && waf.field("observer.hostname") == "waf-1")

        // An ISO time and host before CEF, no PRI (as Trellix ESM forwards).
        let esm = signals[4]
        #expect(esm.time == ts("2026-11-03T10:05:15Z"))
        #expect(esm.severity == .low && esm.field("observer.hostname") == "192.168.2.5")
        #expect(esm.field("cef.extensions.cat") == "Web Policy" && esm.field("network.transport") == "hopopt")
        #expect(esm.field("user.name") == "johnsmith")
    }

    @Test func targetUserAndFieldsBecomeArtifacts() throws {
        let (signals, _) = try Fixture.normalize("cef.log")
        let artifacts = ArtifactExtractor().artifacts(of: signals[3])
        #expect(artifacts.contains(ArtifactMention(.user, "admin@example.com", role: "target_user")))
        #expect(artifacts.contains(ArtifactMention(.ip, "198.51.100.23", role: "src")))
        #expect(artifacts.contains(ArtifactMention(.url, "https://shop.example.com/login?user=admin' OR 1=1--", role: "url")))
    }

    @Test func detectsByStructure() {
        let cef = CEFFormat()
        #expect(cef.accepts(line("CEF:0|a|b|c|d|e|5|")))
        #expect(cef.accepts(line("<134>CEF:1|a|b|c|d|e|5|src=1.2.3.4")))
        #expect(cef.accepts(line("CEF:0|a|b|c|d|e|5")))
        #expect(!cef.accepts(line("CEF:0|a|b|c|d|e")))
        #expect(!cef.accepts(line("user wrote CEF:0|a|b in a chat")))
        #expect(!cef.accepts(line("xCEF:0|a|b|c|d|e|5|")))
        #expect(!cef.accepts(line("LEEF:1.0|a|b|c|d|src=1.2.3.4")))
        #expect(!cef.accepts(Record(payload: .json(["CEF": "0|a|b|c|d|e|5|"]), raw: "{}", origin: "x")))
        #expect(FormatRegistry.builtIn().detect(line("<14>Nov  3 09:12:44 fw CEF:0|a|b|c|d|e|5|"))?.name == "cef")
    }

    @Test func rejectsMalformedRecords() {
        let cef = CEFFormat(reference: ts("2026-11-03T12:00:00Z"))
        #expect(throws: NormalizeError("cef: header has 6 of the 7 fields (CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|)")) {
            try cef.normalize(line("CEF:0|Vendor|Product|1.0|100|Name"))
        }
        // No time at all: kept at its receipt time, marked so (issue 13), not refused.
        let untimed = try? cef.normalize(line("CEF:0|Vendor|Product|1.0|100|Name|3|src=10.0.0.1"))
        #expect(untimed?.first?.fields["taser.time"] == .string("received") && untimed?.first?.fields["event.ingested"] != nil)
        #expect(throws: NormalizeError("cef: rt is not a time: yesterday")) {
            try cef.normalize(line("CEF:0|Vendor|Product|1.0|100|Name|3|rt=yesterday"))
        }
        #expect(throws: NormalizeError("cef: expected a text line")) {
            try cef.normalize(Record(payload: .json([:]), raw: "{}", origin: "x"))
        }
    }

    @Test func readsYearlessTimesAgainstTheReference() throws {
        let cef = CEFFormat(reference: ts("2027-01-01T00:30:00Z"))
        let fromHeader = try cef.normalize(line("<13>Dec 31 23:59:00 fw CEF:0|V|P|1|1|N|1|src=10.0.0.1"))
        #expect(fromHeader[0].time == ts("2026-12-31T23:59:00Z"))
        let fromRt = try cef.normalize(line("CEF:0|V|P|1|1|N|1|rt=Dec 31 23:58:00.500 CET"))
        #expect(fromRt[0].time == ts("2026-12-31T22:58:00.500Z"))
        let endOnly = try cef.normalize(line("CEF:0|V|P|1|1|N|Low|end=1793694000"))
        #expect(endOnly[0].time == ts("2026-11-03T08:20:00Z") && endOnly[0].severity == .low)
    }

    @Test func splitsExtensionsOnKeysOnly() {
        let pairs = CEF.extensions(#"a=1 b=two words c=x\=y\\z d=http://h/p?q=1&r=2 e= f=\n"#[...])
        #expect(pairs.map(\.key) == ["a", "b", "c", "d", "e", "f"])
        #expect(pairs.map(\.value) == ["1", "two words", #"x=y\z"#, "http://h/p?q=1&r=2", "", "\n"])
    }
}

@Suite struct LEEFTests {
    @Test func readsLEEF1And2() throws {
        let (signals, rejected) = try Fixture.normalize("leef.log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        try #require(signals.count == 4)
        #expect(signals.allSatisfy { $0.kind == .leef && $0.source == "leef" && $0.sourceRef == nil })

        // LEEF 1.0, tab-delimited, devTime in the default form, behind RFC 3164.
        let exchange = signals[0]
        #expect(exchange.title == "Microsoft MSExchange: 15345 (Failed Login)")
        #expect(exchange.time == ts("2026-11-03T10:07:53Z"))
        #expect(exchange.severity == .medium && exchange.fields["event.severity"] == .int(5))
        #expect(exchange.field("leef.version") == "1.0" && exchange.field("leef.event_id") == "15345")
        #expect(exchange.field("observer.vendor") == "Microsoft" && exchange.field("observer.product") == "MSExchange")
        #expect(exchange.field("observer.hostname") == "exch01" && exchange.fields["log.syslog.priority"] == .int(13))
        #expect(exchange.field("source.ip") == "10.50.1.1" && exchange.field("destination.ip") == "10.50.2.20")
        #expect(exchange.fields["source.port"] == .int(51200) && exchange.fields["destination.port"] == .int(443))
        #expect(exchange.field("user.name") == "jdoe" && exchange.field("user.domain") == "CORP")
        #expect(exchange.field("network.transport") == "tcp")
        #expect(exchange.field("leef.category") == "Failed Login")
        #expect(exchange.fields["related.ip"] == .array(["10.50.1.1"]))
        #expect(exchange.field("leef.attributes.usrName") == #"CORP\jdoe"#)

        // LEEF 2.0 with '^' and a devTimeFormat with a zone, behind RFC 5424.
        let sw = signals[1]
        #expect(sw.title == "Lancope StealthWatch: 41")
        #expect(sw.field("leef.delimiter") == "^")
        #expect(sw.time == ts("2026-11-03T09:19:58.500Z"))
        #expect(sw.severity == .high)
        #expect(sw.field("source.ip") == "10.0.1.8" && sw.field("destination.ip") == "203.0.113.50")
        #expect(sw.fields["source.port"] == .int(81) && sw.fields["destination.port"] == .int(21))
        #expect(sw.field("user.name") == "alice@example.com" && sw.field("user.email") == "alice@example.com")
        #expect(sw.field("message") == "Data exfiltration to 203.0.113.50 suspected")
        #expect(sw.texts == ["Data exfiltration to 203.0.113.50 suspected"])
        #expect(sw.field("log.syslog.appname") == "StealthWatch")

        // LEEF 2.0 with a hex delimiter, epoch devTime, no syslog header.
        let gw = signals[2]
        #expect(gw.field("leef.delimiter") == "^")
        #expect(gw.time == ts("2026-11-03T10:16:40Z"))
        #expect(gw.severity == .low)
        #expect(gw.field("user.name") == "bob" && gw.field("source.ip") == "192.0.2.44" && gw.field("host.name") == "lap-bob")

        // LEEF 1.0 separated by spaces, as products often send it; time from the 5424 header.
        let av = signals[3]
        #expect(av.title == "McAfee ePO: VirusDetected (Malware Detected)")
        #expect(av.time == ts("2026-11-03T10:30:00Z"))
        #expect(av.severity == .critical)
        #expect(av.field("file.hash.md5") == "44d88612fea8a8f36de82e1278abb02f")
        #expect(av.field("leef.attributes.cat") == "Malware Detected")
    }

    @Test func detectsByStructureAndRejectsMalformed() {
        let leef = LEEFFormat(reference: ts("2026-11-03T12:00:00Z"))
        #expect(leef.accepts(line("LEEF:1.0|V|P|1|ID|src=1.2.3.4")))
        #expect(leef.accepts(line("<13>Nov  3 11:07:53 h LEEF:2.0|V|P|1|ID|^|src=1.2.3.4")))
        #expect(!leef.accepts(line("LEEF:1.0|V|P|1")))
        #expect(!leef.accepts(line("LEEF:9|V|P|1|ID|")))
        #expect(!leef.accepts(line("CEF:0|a|b|c|d|e|5|")))
        #expect(FormatRegistry.builtIn().detect(line("LEEF:1.0|V|P|1|ID|src=1.2.3.4"))?.name == "leef")
        #expect(throws: NormalizeError("leef: header has 4 of the 5 fields (LEEF:Version|Vendor|Product|Version|EventID|)")) {
            try leef.normalize(line("LEEF:1.0|V|P|1|"))
        }
        let untimed = try? leef.normalize(line("LEEF:1.0|V|P|1|ID|src=1.2.3.4"))
        #expect(untimed?.first?.fields["taser.time"] == .string("received"))
        #expect(throws: NormalizeError("leef: devTime '03/11/2026' does not match devTimeFormat 'yyyy-MM-dd'")) {
            try leef.normalize(line("LEEF:2.0|V|P|1|ID|^|devTime=03/11/2026^devTimeFormat=yyyy-MM-dd"))
        }
    }

    @Test func readsDelimiterForms() {
        #expect(LEEF.header("2.0|V|P|1|ID|x09|a=1\tb=2"[...]).delimiter == "\t")
        #expect(LEEF.header("2.0|V|P|1|ID|0x7C|a=1|b=2"[...]).delimiter == "|")
        #expect(LEEF.header("2.0|V|P|1|ID||a=1\tb=2"[...]).delimiter == "\t")
        #expect(LEEF.header("2.0|V|P|1|ID|a=1\tb=2"[...]).delimiter == "\t")
        let piped = LEEF.header("2.0|V|P|1|ID|0x7C|a=1|b=2"[...])
        #expect(LEEF.attributes(piped.rest, delimiter: piped.delimiter).map(\.value) == ["1", "2"])
    }

    @Test func readsJavaDatePatterns() {
        let r = ts("2026-11-03T12:00:00Z")
        #expect(LogTime.parse("2026-11-03T09:19:58.500+0100", pattern: "yyyy-MM-dd'T'HH:mm:ss.SSSZ", reference: r) == ts("2026-11-03T08:19:58.500Z"))
        #expect(LogTime.parse("03/11/2026 01:02:03 PM", pattern: "dd/MM/yyyy hh:mm:ss a", reference: r) == ts("2026-11-03T13:02:03Z"))
        #expect(LogTime.parse("Tue Nov 03 09:00:00 EST 2026", pattern: "EEE MMM dd HH:mm:ss zzz yyyy", reference: r) == ts("2026-11-03T14:00:00Z"))
        #expect(LogTime.parse("20261103090000", pattern: "yyyyMMddHHmmss", reference: r) == ts("2026-11-03T09:00:00Z"))
        #expect(LogTime.parse("2026-02-30 00:00:00", pattern: "yyyy-MM-dd HH:mm:ss", reference: r) == nil)
    }
}
