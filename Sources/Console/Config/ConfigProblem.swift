import Foundation

/// Something wrong in a keymap or theme file, said the way a compiler says it, so an editor can
/// jump there: `keys.yaml:7: unknown action 'alert.promot'; did you mean 'alert.promote'?`.
public struct ConfigProblem: Hashable, Sendable, CustomStringConvertible {
    /// The file as the analyst knows it: a path, or `default.yaml` for a built-in one.
    public var file: String
    /// 1-based; nil when the problem is the file as a whole (cannot be read, no such keymap).
    public var line: Int?
    public var column: Int?
    /// What is wrong and what to do about it.
    public var message: String

    public init(file: String, line: Int?, column: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }

    /// The same problem with its file named from `directory` (`keys.yaml` for a file in it), for
    /// where a full path does not fit; other files keep their path.
    public func relative(to directory: String) -> ConfigProblem {
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        guard file.hasPrefix(folder), file.count > folder.count else { return self }
        var out = self
        out.file = String(file.dropFirst(folder.count))
        return out
    }

    /// Problems in reading order: files in the order they first come up, then by line.
    static func ordered(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        var seen = Set<ConfigProblem>()
        let unique = problems.filter { seen.insert($0).inserted }
        var fileRank: [String: Int] = [:]
        for p in unique where fileRank[p.file] == nil { fileRank[p.file] = fileRank.count }
        return unique.enumerated().sorted { a, b in
            // Every problem's file was ranked just above.
            let fa = fileRank[a.element.file] ?? 0, fb = fileRank[b.element.file] ?? 0
            if fa != fb { return fa < fb }
            let la = a.element.line ?? 0, lb = b.element.line ?? 0
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)
    }
}

/// A keymap or theme file that cannot be used as it is; `problems` says every reason found.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(_ problems: [ConfigProblem]) { self.problems = problems }
    public init(_ problem: ConfigProblem) { problems = [problem] }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Where the analyst's own files live: `$XDG_CONFIG_HOME/taser`, else `~/.config/taser`.
public enum ConfigFiles {
    public static func directory(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) as NSString)
                .appendingPathComponent(".config")
        return (base as NSString).appendingPathComponent("taser")
    }

    public static func keys(environment: [String: String]) -> String {
        (directory(environment: environment) as NSString).appendingPathComponent("keys.yaml")
    }

    public static func theme(environment: [String: String]) -> String {
        (directory(environment: environment) as NSString).appendingPathComponent("theme.yaml")
    }

    /// The file's text, nil when there is none (no file is fine: the built-in one applies).
    static func read(_ path: String) throws(ConfigError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(ConfigProblem(file: path, line: nil, "cannot read it (\(error.localizedDescription)); fix its permissions or encoding (UTF-8), or remove it"))
        }
    }

    /// A built-in file's text (`emacs` in `BuiltInFiles.keymaps`): Keymaps/ and Themes/ at the
    /// top of the repository, compiled in by the EmbedConsoleDefaults plugin, so nothing is read
    /// from disk and an installed binary cannot lose them. `kind` names the folder's files in the
    /// message for an unknown name (`keymap`, `theme`).
    static func builtIn(_ name: String, in files: [String: String], names: [String], kind: String) throws(ConfigError) -> String {
        guard let text = files[name] else {
            let list = names.joined(separator: ", ")
            throw ConfigError(ConfigProblem(file: name + ".yaml", line: nil, "there is no built-in \(kind) '\(name)'; use one of: \(list)"))
        }
        return text
    }
}
