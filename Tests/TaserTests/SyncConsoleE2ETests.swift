import Foundation
import Testing

/// The Sync pane for real: `taser sync run` leaves dead letters (its endpoint refuses every
/// connection), and the console under tmux shows ana hers on `5` (not those of dana's case,
/// which she may not read), opens her case and retries them.
@Suite(.timeLimit(.minutes(3))) struct SyncConsoleE2ETests {
    /// A port on 127.0.0.1 bound but never listened on, so every connection to it is refused,
    /// with no other process that could take it meanwhile.
    final class RefusingPort {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            try #require(fd >= 0, "socket: errno \(errno)")
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            if !bound { close(fd) }
            try #require(bound, "bind: errno \(errno)")
            self.fd = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(fd) }
    }

    @Test func fiveShowsTheDeadLettersEnterOpensTheCaseAndRRetriesThem() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let refusing = try RefusingPort()
        try """
            endpoints:
              siem: { type: webhook, url: "http://127.0.0.1:\(refusing.port)/in", hmac_secret: "${secret:hook_key}", events: [case.created], max_attempts: 1 }
            """.write(toFile: dir.file("sync.yaml"), atomically: true, encoding: .utf8)
        try "hook_key: hook-s3cret-7\n".write(toFile: dir.file("secrets.yaml"), atomically: true, encoding: .utf8)
        chmod(dir.file("secrets.yaml"), 0o600)
        let run = try Taser.run(["--db", db, "sync", "run", "--once", "--config", dir.file("sync.yaml"), "--secrets", dir.file("secrets.yaml")])
        try #require(run.status == 0 && run.stderr.contains("dead 2"), "\(run.stderr)")

        let env = ["XDG_CONFIG_HOME": dir.file("config"), "XDG_STATE_HOME": dir.file("state")]
        let tmux = try Tmux([Taser.binary, "--db", db, "--as", "ana"], width: 140, height: 40, env: env)
        // The queue warns before the pane is opened, of her dead letter alone: dana's case (2)
        // is not hers to read, so it sent nothing she sees.
        try tmux.waitFor(text: "sync: 1 dead", timeout: 30)
        try tmux.type("5")
        var screen = try tmux.waitFor("the dead letters") { $0.contains("Dead letters (1)") && $0.contains("case 1") }
        #expect(screen.contains("Queue › Sync") && !screen.contains("case 2"), "\(screen)")
        let first = try #require(screen.split(separator: "\n").first { $0.contains("case 1") && $0.contains("case.created") })
        #expect(first.contains("siem") && first.contains("POST /in"), "\(screen)")
        #expect(!screen.contains("hook-s3cret-7"))

        // Enter opens ana's case; Esc comes back.
        try tmux.send(keys: ["Enter"])
        screen = try tmux.waitFor(text: "Queue › Sync › Case 1")
        #expect(screen.contains("First case"))
        try tmux.send(keys: ["Escape"])
        try tmux.waitFor(text: "Dead letters (1)")

        // R asks, y retries hers.
        try tmux.type("R")
        try tmux.waitFor(text: "Retry all 1 dead delivery? (y/n)")
        try tmux.type("y")
        screen = try tmux.waitFor(text: "retried 1 delivery")
        #expect(screen.contains("No dead letters") && screen.contains("Waiting for a retry (1)"))
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
        #expect(tmux.restored)

        // The owner sees both cases' deliveries: dana's is still dead, hers waits for a retry.
        let status = try Taser.run(["--db", db, "sync", "status", "--json"])
        let lines = status.stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        #expect(lines.filter { $0["kind"] as? String == "dead" }.map { $0["entity_id"] as? Int } == [2], "\(status.stdout)")
        #expect(lines.filter { $0["kind"] as? String == "retrying" }.map { $0["entity_id"] as? Int } == [1], "\(status.stdout)")
    }
}
