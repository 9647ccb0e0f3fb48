import Foundation
import Model

/// Reading a theme file: `role: { fg: colour, bg: colour, bold: true, ... }` per line.
extension Theme {
    static let attributes = ["fg", "bg", "bold", "dim", "underline", "reverse"]

    /// Roles a file may name: every role the views use, and the groups they fall back to
    /// (`severity`, `syntax`, `list`).
    static var knownRoles: [String] {
        var names = Role.all.map(\.name)
        for role in Role.all {
            var name = role.name
            while let dot = name.lastIndex(of: ".") {
                name = String(name[..<dot])
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    /// Every style it could read, and a problem for each line it could not.
    static func read(yaml: String, file: String) -> (Theme, [ConfigProblem]) {
        var theme = Theme(file: file)
        var problems: [ConfigProblem] = []
        let top: [ConfigEntry]
        do { top = try ConfigYAML.topLevel(yaml, file: file) } catch { return (theme, error.problems) }
        let roles = knownRoles
        for entry in top {
            if entry.key == "base" {
                if let name = ConfigYAML.scalar(entry.value) {
                    theme.base = name
                    theme.baseLine = entry.line
                } else {
                    problems.append(ConfigProblem(file: file, line: entry.line, "base names a built-in theme: \(builtInNames.joined(separator: ", "))"))
                }
                continue
            }
            if !roles.contains(entry.key) {
                problems.append(ConfigProblem(file: file, line: entry.line, "unknown role '\(entry.key)'" + Keymap.suggestion(entry.key, in: roles, otherwise: "the roles are \(Role.all.map(\.name).joined(separator: ", "))")))
                continue
            }
            do {
                theme.styles[entry.key] = try style(entry, file: file)
            } catch {
                problems += error.problems
            }
        }
        return (theme, problems)
    }

    private static func style(_ entry: ConfigEntry, file: String) throws(ConfigError) -> Style {
        var style = Style()
        if ConfigYAML.isNull(entry.value) { return style }
        guard case .mapping = entry.value else {
            throw ConfigError(ConfigProblem(file: file, line: entry.line, "'\(entry.key)' should be a style, like `\(entry.key): { fg: red, bold: true }`"))
        }
        var problems: [ConfigProblem] = []
        for attribute in try ConfigYAML.entries(entry.value, file: file) {
            func problem(_ message: String) { problems.append(ConfigProblem(file: file, line: attribute.line, column: attribute.column, message)) }
            let value = ConfigYAML.scalar(attribute.value) ?? ""
            switch attribute.key {
            case "fg", "bg":
                guard let color = TerminalColor(name: value) else {
                    problem("unknown colour '\(value)' for \(attribute.key) of \(entry.key)" + Keymap.suggestion(value, in: colourNames, otherwise: "use default, a name (red, bright-red) or a number 0-255 (color208)"))
                    continue
                }
                if attribute.key == "fg" { style.foreground = color } else { style.background = color }
            case "bold", "dim", "underline", "reverse":
                guard value == "true" || value == "false" else {
                    problem("\(attribute.key) of \(entry.key) takes true or false, not '\(value)'")
                    continue
                }
                let on = value == "true"
                switch attribute.key {
                case "bold": style.bold = on
                case "dim": style.dim = on
                case "underline": style.underline = on
                default: style.reverse = on
                }
            default:
                problem("unknown attribute '\(attribute.key)' for \(entry.key)" + Keymap.suggestion(attribute.key, in: attributes, otherwise: "use \(attributes.joined(separator: ", "))"))
            }
        }
        if !problems.isEmpty { throw ConfigError(problems) }
        return style
    }

    static var colourNames: [String] {
        ["default"] + TerminalColor.names + TerminalColor.names.map { "bright-" + $0 }
    }
}
