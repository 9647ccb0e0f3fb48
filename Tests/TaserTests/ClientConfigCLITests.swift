import Foundation
import Testing

/// `server:` in $XDG_CONFIG_HOME/taser/taser.yaml, the third way to name the daemon's socket:
/// used when neither --server nor TASER_SERVER is given, set aside by a database named for the
/// run, and an error (file:line, what to do) when the file holds anything else.
@Suite struct ClientConfigCLITests {
    /// A config folder holding taser.yaml with `text`.
    static func config(_ text: String) throws -> TempDir {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.path + "/taser", withIntermediateDirectories: true)
        try text.write(toFile: dir.path + "/taser/taser.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    static func run(_ args: [String], config: TempDir, env: [String: String] = [:]) throws -> Taser.Result {
        try Taser.run(args, env: ["XDG_CONFIG_HOME": config.path, "TASER_SERVER": ""].merging(env) { _, b in b })
    }

    @Test func theFileNamesTheSocket() throws {
        let config = try Self.config("# the team's daemon\n\nserver: /nonexistent.sock\n")
        let r = try Self.run(["whoami"], config: config)
        #expect(r.status != 0 && r.stderrLines.count == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("cannot reach the taser daemon at /nonexistent.sock"), "\(r.stderr)")
    }

    @Test func serverAndTheEnvironmentOverrideTheFile() throws {
        let config = try Self.config("server: /nonexistent.sock\n")
        let flag = try Self.run(["--server", "/elsewhere-by-flag.sock", "whoami"], config: config)
        #expect(flag.status != 0 && flag.stderr.contains("/elsewhere-by-flag.sock") && !flag.stderr.contains("/nonexistent.sock"), "\(flag.stderr)")
        let env = try Self.run(["whoami"], config: config, env: ["TASER_SERVER": "/elsewhere-by-env.sock"])
        #expect(env.status != 0 && env.stderr.contains("/elsewhere-by-env.sock") && !env.stderr.contains("/nonexistent.sock"), "\(env.stderr)")
        // A database named for the run is embedded mode: the file's daemon is not asked.
        let data = TempDir()
        #expect(try Self.run(["--db", data.file(), "init"], config: config).status == 0)
        let local = try Self.run(["--db", data.file(), "whoami"], config: config)
        #expect(local.status == 0 && !local.stdout.isEmpty, "\(local.stderr)")
    }

    @Test func anUnknownKeyIsNamedWithItsLine() throws {
        let config = try Self.config("# typo below\nsevrer: /run/taser/taser.sock\n")
        let file = config.path + "/taser/taser.yaml"
        let r = try Self.run(["whoami"], config: config)
        #expect(r.status != 0 && r.stderrLines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\(file):2: unknown setting 'sevrer'") && r.stderr.contains("server: /run/taser/taser.sock"), "\(r.stderr)")
        // Even with --db: a broken file is said, not silently skipped.
        let data = TempDir()
        let local = try Self.run(["--db", data.file(), "whoami"], config: config)
        #expect(local.status != 0 && local.stderr.contains("\(file):2:"), "\(local.stderr)")
    }

    @Test func aMalformedLineIsNamedWithItsLine() throws {
        for (text, line, said) in [
            ("server: /a.sock\n  extra: 1\n", 2, "not valid YAML"),
            ("server /a.sock\n", 1, "expected a map"),
            ("server: relative.sock\n", 1, "absolute path"),
            ("server: [/a.sock]\n", 1, "absolute path"),
            ("server: /a.sock\nserver: /b.sock\n", 1, "appears twice"),
        ] {
            let config = try Self.config(text)
            let r = try Self.run(["whoami"], config: config)
            #expect(r.status != 0 && r.stderrLines.count == 1, "\(text): \(r.stderr)")
            #expect(r.stderr.contains("\(config.path)/taser/taser.yaml:\(line): ") && r.stderr.contains(said), "\(text): \(r.stderr)")
            #expect(r.stderr.contains("server: /run/taser/taser.sock"), "says what to write: \(r.stderr)")
        }
    }

    @Test func aFileOver64KiBIsRefused() throws {
        let config = try Self.config("# " + String(repeating: "x", count: 70_000) + "\nserver: /a.sock\n")
        let r = try Self.run(["whoami"], config: config)
        #expect(r.status != 0 && r.stderr.contains("larger than 64 KiB"), "\(r.stderr)")
    }
}
