import Foundation
import Testing

/// `taser keys` and `taser config check`, with a config folder of their own.
@Suite struct ConfigCLITests {
    /// The action names as Registry.swift declares them, read from the source so this test does
    /// not take the generated list's word for what exists.
    static func registryActions() throws -> [String] {
        let registry = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Console/Actions/Registry.swift")
        let source = try String(contentsOf: registry, encoding: .utf8)
        return source.components(separatedBy: "ActionInfo(\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    func configHome(keys: String? = nil, theme: String? = nil) throws -> (TempDir, [String: String]) {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.path + "/taser", withIntermediateDirectories: true)
        if let keys { try keys.write(toFile: dir.path + "/taser/keys.yaml", atomically: true, encoding: .utf8) }
        if let theme { try theme.write(toFile: dir.path + "/taser/theme.yaml", atomically: true, encoding: .utf8) }
        return (dir, ["XDG_CONFIG_HOME": dir.path, "NO_COLOR": ""])
    }

    @Test func theMarkdownReferenceHasARowForEveryAction() throws {
        let (dir, env) = try configHome()
        let actions = try ConfigCLITests.registryActions()
        #expect(actions.count > 30)
        for keymap in ["default", "emacs"] {
            let r = try Taser.run(["keys", "--markdown", "--keymap", keymap], env: env)
            #expect(r.status == 0, "\(r.stderr)")
            let rows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Keys") }
            for action in actions {
                let row = rows.first { $0.contains("| `\(action)` |") }
                #expect(row != nil && row?.hasPrefix("| (none)") == false, "\(keymap): no keys for \(action)")
            }
            #expect(rows.count == actions.count)
            #expect(r.stdout.contains("Close, saying why (marked, else this one) **(asks first)**"))
        }
        let mine = try Taser.run(["keys"], env: env)
        _ = dir
        #expect(mine.status == 0 && mine.stdout.contains("alert.promote") && mine.stdout.contains("The alert queue"))
        let bad = try Taser.run(["keys", "--keymap", "vi"], env: env)
        #expect(bad.status != 0 && bad.stderr.contains("no built-in keymap 'vi'"))
    }

    @Test func configCheckNamesFileAndLineAndExitsOne() throws {
        let (dir, env) = try configHome(keys: "alerts:\n  x: alert.close\n  P: alert.promot\n", theme: "error: { fg: redd }\n")
        let r = try Taser.run(["config", "check"], env: env)
        #expect(r.status == 1)
        #expect(r.stdout.contains(dir.path + "/taser/keys.yaml:3: unknown action 'alert.promot'; did you mean 'alert.promote'?"), "\(r.stdout)")
        #expect(r.stdout.contains(dir.path + "/taser/theme.yaml:1: unknown colour 'redd'"), "\(r.stdout)")
        #expect(r.stderrLines.count == 1 && r.stderr.hasPrefix("taser: 2 problems in "), "\(r.stderr)")

        let (yamlDir, yamlEnv) = try configHome(keys: "global: { q: quit\n")
        let yaml = try Taser.run(["config", "check"], env: yamlEnv)
        #expect(yaml.status == 1 && yaml.stdout.contains(yamlDir.path + "/taser/keys.yaml:") && yaml.stdout.contains("not valid YAML"), "\(yaml.stdout)")
    }

    @Test func configCheckPassesGoodFilesAndMissingOnes() throws {
        let (dir, env) = try configHome(keys: "base: emacs\nalerts: { x: alert.close }\n", theme: "base: light\nseverity.critical: { fg: 160, bold: true }\n")
        let good = try Taser.run(["config", "check"], env: env)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/taser/keys.yaml"))
        #expect(good.status == 0 && good.stdout.contains("keys.yaml and theme.yaml are fine"), "\(good.stdout)\(good.stderr)")
        let (empty, none) = try configHome()
        let missing = try Taser.run(["config", "check"], env: none)
        #expect(missing.status == 0 && missing.stdout.contains("fine") && !FileManager.default.fileExists(atPath: empty.path + "/taser/keys.yaml"))
    }
}
