import Foundation
import Model

/// How each role looks. Built-in themes (`Themes/*.yaml`): `default` (16 colours, so it follows
/// the terminal's palette, on the terminal's own background), `dark-256`, `light` and `mono`
/// (attributes only). The analyst's `theme.yaml` is the same format:
///
///     base: dark-256                                   # optional: start from another theme
///     severity.critical: { fg: bright-red, bold: true }
///
/// A role written in a file is its whole style (attributes are not mixed with the base's), so
/// what the file says is what the screen shows.
public struct Theme: Sendable, Equatable {
    /// `default.yaml` or the user's path: where the styles came from.
    public var file: String
    /// A user file's `base:`, the built-in theme it starts from.
    public var base: String?
    var baseLine: Int?
    var styles: [String: Style]

    public init(file: String, styles: [Role: Style] = [:]) {
        self.file = file
        self.styles = Dictionary(styles.map { ($0.key.name, $0.value) }, uniquingKeysWith: { _, b in b })
    }

    /// The shipped files' names (`default` first), from what was compiled in.
    public static let builtInNames = BuiltInFiles.themeNames

    /// The role's style; a role the theme does not name takes its parent's (`severity.high`,
    /// then `severity`), then `text`'s, so a short theme still draws everything.
    public func style(_ role: Role) -> Style {
        var name = role.name
        while true {
            if let style = styles[name] { return style }
            guard let dot = name.lastIndex(of: ".") else { break }
            name = String(name[..<dot])
        }
        return styles[Role.text.name] ?? .plain
    }

    /// Whether the theme names this role itself (no fallback), for coverage checks.
    public func defines(_ role: Role) -> Bool { styles[role.name] != nil }

    /// A theme shipped with taser.
    public static func load(named name: String) throws(ConfigError) -> Theme {
        let text = try ConfigFiles.builtIn(name, in: BuiltInFiles.themes, names: builtInNames, kind: "theme")
        return try parse(yaml: text, file: name + ".yaml")
    }

    /// Reads a theme file; throws, naming file and line, on YAML errors, unknown roles, colours
    /// and attributes.
    public static func parse(yaml: String, file: String) throws(ConfigError) -> Theme {
        let (theme, problems) = read(yaml: yaml, file: file)
        if !problems.isEmpty { throw ConfigError(problems) }
        return theme
    }

    /// This theme with the user's roles on top.
    public func merged(with user: Theme) -> Theme {
        var out = self
        out.file = user.file
        out.styles.merge(user.styles) { _, theirs in theirs }
        return out
    }

    /// The analyst's theme: the built-in one their `theme.yaml` names with `base:` (else
    /// default) with its roles on top. NO_COLOR (any non-empty value, no-color.org) gives mono
    /// whatever the files say, but their problems are still reported. Never fails: a broken
    /// file gives problems and the lines that could be read still apply.
    public static func forUser(environment: [String: String]) -> (Theme, [ConfigProblem]) {
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        let (chosen, problems) = userTheme(environment: environment)
        guard noColor else { return (chosen, problems) }
        return ((try? load(named: "mono")) ?? Theme(file: "mono.yaml"), problems)
    }

    private static func userTheme(environment: [String: String]) -> (Theme, [ConfigProblem]) {
        let (base, user, problems) = layers(userFile: ConfigFiles.theme(environment: environment), empty: Theme(file: "default.yaml"))
        guard let user else { return (base, problems) }
        return (base.merged(with: user), ConfigProblem.ordered(problems))
    }

    static func unknownBase(_ name: String) -> String {
        "there is no built-in theme '\(name)'; use one of: \(builtInNames.joined(separator: ", "))"
    }
}
extension Theme: LayeredConfig {}
