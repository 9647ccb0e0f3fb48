import Foundation
import Testing

/// Issue 12: one `POST /api/simulate` with a window of 10^17 days killed `taser serve`. Numbers
/// past their range are 400s with the reason now, and serve goes on answering.
@Suite struct HostileAPITests {
    @Test func hugeWindowsAndTimesAreRefusedAndServeStaysUp() throws {
        let scratch = Scratch()
        let (server, _) = try APIHTTPTests.start(scratch)
        let auth = "Bearer \(APIHTTPTests.anaKey)"
        let bodies: [(String, String, String)] = [
            ("text/plain", "[ (2 CarbonBlack alerts) ] IN [ 99999999999999999 days ] WITH [ hostname ] IN COMMON", "longer than 100 years"),
            ("text/plain", "[ (2 CarbonBlack alerts) ] IN [ 1 day ] WITH [ hostname ] IN COMMON SUPPRESS FOR 99999999999999999 days", "longer than 100 years"),
            ("application/json", #"{"rule": "(1 SSO login from a new location) IN 1h", "since": "99999999999999999d"}"#, "before 1970"),
            ("application/json", #"{"rule": "(1 SSO login from a new location) IN 1h", "until": "2026-02-30"}"#, "not a real date"),
            ("application/json", #"{"rule": "(1 SSO login from a new location) IN 1h", "top": 9223372036854775807}"#, "top"),
        ]
        for (type, body, says) in bodies {
            let r = try server.request("POST", "/api/simulate", headers: ["Authorization": auth, "Content-Type": type], body: Array(body.utf8))
            #expect(r.status == 400, "\(body): \(r.status) \(r.text)")
            #expect(r.text.contains(says), "\(body): \(r.text)")
            #expect(try server.get("/health").status == 200)
        }
        let signals = try server.get("/api/signals?since=99999999999999999d", key: APIHTTPTests.anaKey)
        #expect(signals.status == 400, "\(signals.text)")
        #expect(try server.get("/health").status == 200)
        #expect(server.stop() == 0)
    }
}
