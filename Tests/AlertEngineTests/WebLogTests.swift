import Foundation
import Model
import Testing
@testable import AlertEngine

@Suite struct WebLogTests {
    @Test func accessLogLinesCarryTheW3CNames() throws {
        let (signals, rejected) = try Fixture.normalize("web/access.log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        #expect(signals.count == 6 && signals.allSatisfy { $0.kind == .webRequest })
        let apache = signals[0]
        #expect(apache.time == Timestamp(parsing: "2000-10-10T20:55:36Z"))
        #expect(apache.field("c-ip") == "127.0.0.1" && apache.field("cs-username") == "frank" && apache.field("user.name") == "frank")
        #expect(apache.field("cs-method") == "GET" && apache.field("cs-uri-stem") == "/apache_pb.gif" && apache.field("cs-version") == "HTTP/1.0")
        #expect(apache.fields["sc-status"] == .int(200) && apache.fields["sc-bytes"] == .int(2326))
        #expect(apache.field("cs-referer") == "http://www.example.com/start.html")
        #expect(apache.field("cs-user-agent") == "Mozilla/4.08 [en] (Win98; I ;Nav)" && apache.field("user_agent.original") == "Mozilla/4.08 [en] (Win98; I ;Nav)")
        #expect(apache.field("message") == apache.raw)
        // The common form has no referer or agent.
        #expect(signals[1].fields["cs-referer"] == nil && signals[1].fields["sc-status"] == .int(200))
        #expect(signals[3].fields["sc-status"] == .int(404) && signals[3].field("url.extension") == "ico")
        let vhost = signals[5]
        #expect(vhost.field("cs-host") == "lessons.example.com" && vhost.field("c-ip") == "192.168.0.1")
    }

    @Test func jsonAccessLogs() throws {
        let (signals, rejected) = try Fixture.normalize("web/access.ndjson")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        #expect(signals.count == 2)
        #expect(signals[0].fields["sc-status"] == .int(404) && signals[0].field("cs-host") == "localhost" && signals[0].field("cs-uri-stem") == "/favicon.ico")
        #expect(signals[1].field("cs-uri-query") == "/index.php?id=1" && signals[1].field("url.query") == "id=1")
        #expect(signals[1].time == Timestamp(parsing: "2016-10-25T12:49:33Z") && signals[1].fields["sc-status"] == .int(200))
    }

    @Test func errorLogsSayWhichServer() throws {
        let (signals, rejected) = try Fixture.normalize("web/error.log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        #expect(signals.map { $0.field("service.type") } == ["apache", "apache", "apache", "apache", "nginx", "nginx"])
        #expect(signals[0].field("log.level") == "error" && signals[0].field("source.ip") == "192.168.33.1")
        #expect(signals[3].field("source.ip") == "89.160.20.156" && signals[3].fields["source.port"] == .int(12345))
        #expect(signals[4].fields["process.pid"] == .int(54053) && signals[4].field("source.ip") == "127.0.0.1")
    }

    @Test func squidNativeLines() throws {
        let (signals, rejected) = try Fixture.normalize("web/squid.log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        #expect(signals.count == 4 && signals.allSatisfy { $0.kind == .proxyRequest })
        let first = signals[0]
        #expect(first.time == Timestamp(ms: 1_286_536_308_779))
        #expect(first.field("c-uri") == "http://liveupdate.symantecliveupdate.com/minitri.flg" && first.field("cs-host") == "liveupdate.symantecliveupdate.com")
        #expect(first.field("c-uri-extension") == "flg" && first.field("dst_ip") == "125.23.216.203" && first.field("s-action") == "TCP_MISS")
        #expect(first.fields["sc-status"] == .int(200) && first.field("cs-method") == "GET" && first.field("c-ip") == "192.168.0.224")
        #expect(signals[2].field("cs-host") == "login.live.com" && signals[2].fields["url.port"] == .int(443))
        #expect(signals[3].field("event.outcome") == "failure" && signals[3].fields["dst_ip"] == nil)
    }

    @Test func zscalerNSSJSON() throws {
        let (signals, rejected) = try Fixture.normalize("web/zscaler.ndjson")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        #expect(signals.count == 3)
        let post = signals[1]
        #expect(post.time == Timestamp(parsing: "2021-12-31T07:07:07Z"))
        #expect(post.field("c-uri") == "https://www.example.com.com/join/" && post.field("cs-host") == "www.example.com.com" && post.field("cs-method") == "POST")
        #expect(post.fields["sc-status"] == .int(403) && post.field("c-useragent") == "Microsoft-Delivery-Optimization/10.0")
        #expect(post.field("user.name") == "test@example.com" && post.field("dst_ip") == "89.160.20.156" && post.field("host.name") == "TestMachine35")
        #expect(post.field("zscaler.urlcat") == "Corporate Marketing" && post.fields["cs-referrer"] == nil)
        #expect(signals[2].field("c-uri-query") == "version=10.0.19041.1266&user=65792&Id=1")
        #expect(signals[0].field("c-uri") == "www.example.com")
    }

    @Test func malformedLinesAreRefusedNotTrapped() throws {
        let registry = FormatRegistry.builtIn()
        for bad in [
            #"1.2.3.4 - - [99/Foo/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1"#,
            #"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 999999999999999999999 1"#,
            #"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "\x"#,
            "99999999999.999 1 1.2.3.4 TCP_MISS/200 1 GET http://x/ - DIRECT/1.2.3.4 -",
            "1286536308.779 99999999999999999999 1.2.3.4 TCP_MISS/200 99999999999999999999999 GET http://[::1/ - DIRECT/x -",
            #"{"remote_addr":"1.2.3.4","status":"x","request":"GET"}"#,
            #"{"reqmethod":"GET","url":"x","respcode":"200","time":"not a time"}"#,
            "[Mon Dec 99 16:22:08 2016] [error] x", "2016/99/25 14:49:34 [error] 1#0: x",
        ] {
            let record = bad.hasPrefix("{")
                ? Record(payload: .json(try JSONValue.parse(Array(bad.utf8))), raw: bad, origin: "t:1")
                : Record(payload: .line(bad), raw: bad, origin: "t:1")
            if let f = registry.detect(record) {
                do { _ = try f.normalize(record) } catch { #expect(!error.reason.isEmpty) }
            }
        }
    }
}
