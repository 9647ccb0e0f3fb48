import Foundation
import Testing
@testable import Console

/// The shipped keymaps and themes are the YAML files at the top of the repository, compiled in by
/// the EmbedConsoleDefaults plugin: what the binary carries must be those files, byte for byte,
/// and every one of them (a file added or removed there shows up here after a build).
@Suite struct BuiltInFilesTests {
    /// The repository's top: this file is Tests/ConsoleTests/BuiltInFilesTests.swift.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// NAME -> text of every `folder/NAME.yaml` at the top of the repository.
    func files(in folder: String) throws -> [String: String] {
        let directory = Self.root.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        var texts: [String: String] = [:]
        for name in names {
            texts[String(name.dropLast(".yaml".count))] = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        return texts
    }

    @Test func theBuiltInTextsAreTheFilesAtTheTopOfTheRepository() throws {
        let keymaps = try files(in: "Keymaps"), themes = try files(in: "Themes")
        #expect(Set(keymaps.keys) == Set(BuiltInFiles.keymaps.keys))
        #expect(Set(themes.keys) == Set(BuiltInFiles.themes.keys))
        for (name, text) in keymaps { #expect(BuiltInFiles.keymaps[name] == text, "Keymaps/\(name).yaml differs from the built-in text") }
        for (name, text) in themes { #expect(BuiltInFiles.themes[name] == text, "Themes/\(name).yaml differs from the built-in text") }
        // The ones the console and its tests name, and default first in the lists it prints.
        #expect(Set(["default", "emacs"]).isSubset(of: keymaps.keys))
        #expect(Set(["default", "mono", "light", "dark-256"]).isSubset(of: themes.keys))
        #expect(Keymap.builtInNames.first == "default" && Set(Keymap.builtInNames) == Set(keymaps.keys))
        #expect(Theme.builtInNames.first == "default" && Set(Theme.builtInNames) == Set(themes.keys))
        // Nothing left over in the module's sources: one copy of each file.
        let old = Self.root.appendingPathComponent("Sources/Console")
        #expect(!FileManager.default.fileExists(atPath: old.appendingPathComponent("Keymaps").path))
        #expect(!FileManager.default.fileExists(atPath: old.appendingPathComponent("Themes").path))
    }

    @Test func anUnknownBuiltInNameListsTheNames() {
        let keymap = #expect(throws: ConfigError.self) { try Keymap.load(named: "vi") }
        #expect(keymap?.description == "vi.yaml: there is no built-in keymap 'vi'; use one of: \(Keymap.builtInNames.joined(separator: ", "))")
        #expect(keymap?.description.hasSuffix(": default, emacs") == true)
        let theme = #expect(throws: ConfigError.self) { try Theme.load(named: "solarized") }
        #expect(theme?.description == "solarized.yaml: there is no built-in theme 'solarized'; use one of: \(Theme.builtInNames.joined(separator: ", "))")
        #expect(theme?.description.contains("default, dark-256") == true)
    }
}
