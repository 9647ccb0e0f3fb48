import Foundation

// The EmbedConsoleDefaults plugin's tool: writes a Swift file holding the text of each shipped
// keymap and theme (`Keymaps/default.yaml`, ...), so the Console module carries them in the
// binary. Arguments: the output file, then the folders Keymaps/ and Themes/, listed here rather
// than by the plugin so a file added since SwiftPM planned the build is in. Any problem stops the
// build with a message naming the file.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

/// A Swift string literal with exactly `text` in it: escapes rather than a raw multi-line literal,
/// so no content (quotes, backslashes, `"""`, a missing final newline, CR) can change it.
func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// `default` first (the one every other file is told apart from), then by name.
func ordered(_ names: some Sequence<String>) -> [String] {
    names.sorted { a, b in a == "default" ? b != "default" : b == "default" ? false : a < b }
}

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else { fail("usage: EmbedConsoleDefaultsTool OUTPUT.swift PATH/Keymaps PATH/Themes") }

var files: [String: [String: String]] = ["Keymaps": [:], "Themes": [:]]
for directory in arguments.dropFirst() {
    let folder = URL(fileURLWithPath: directory).lastPathComponent
    guard files[folder] != nil else { fail("\(directory): only Keymaps/ and Themes/ are built in") }
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch { fail("\(directory): cannot list it (\(error))") }
    // Other files (a README, an editor's backup) are not keymaps or themes.
    for file in names where file.hasSuffix(".yaml") {
        let path = (directory as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else { fail("\(path): cannot read it") }
        guard let text = String(data: data, encoding: .utf8) else { fail("\(path): not UTF-8") }
        files[folder, default: [:]][String(file.dropLast(".yaml".count))] = text
    }
}
for (folder, texts) in files where texts["default"] == nil {
    fail("\(folder)/default.yaml is missing: the console starts from it (got \(ordered(texts.keys)))")
}

func table(_ texts: [String: String]) -> String {
    ordered(texts.keys).map { "        \(literal($0)): \(literal(texts[$0] ?? "")),\n" }.joined()
}

func list(_ texts: [String: String]) -> String {
    ordered(texts.keys).map(literal).joined(separator: ", ")
}

let keymaps = files["Keymaps"] ?? [:], themes = files["Themes"] ?? [:]
let source = """
    // Generated at build time by the EmbedConsoleDefaults plugin from the repository's Keymaps/
    // and Themes/; edit those files, not this one.

    enum BuiltInFiles {
        /// The text of `Keymaps/NAME.yaml` by NAME.
        static let keymaps: [String: String] = [
    \(table(keymaps))    ]
        /// The keymaps' names, `default` first.
        static let keymapNames: [String] = [\(list(keymaps))]
        /// The text of `Themes/NAME.yaml` by NAME.
        static let themes: [String: String] = [
    \(table(themes))    ]
        /// The themes' names, `default` first.
        static let themeNames: [String] = [\(list(themes))]
    }

    """
// Written only when it changed, so a rebuild that changes nothing recompiles nothing.
if (try? String(contentsOfFile: output, encoding: .utf8)) != source {
    do {
        try source.write(toFile: output, atomically: true, encoding: .utf8)
    } catch {
        fail("\(output): cannot write it (\(error))")
    }
}
