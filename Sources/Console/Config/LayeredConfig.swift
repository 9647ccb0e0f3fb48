/// What keymaps and themes share: a built-in file (the analyst's `base:`, else `default`) with
/// the analyst's own file laid over it, never failing: problems are collected, not thrown.
protocol LayeredConfig {
    static func load(named name: String) throws(ConfigError) -> Self
    static func read(yaml: String, file: String) -> (Self, [ConfigProblem])
    /// What to say when the user's `base:` names no built-in file.
    static func unknownBase(_ name: String) -> String
    var base: String? { get }
    var baseLine: Int? { get }
}

extension LayeredConfig {
    /// The built-in base, the user's file read from `path` (nil when there is none), and the
    /// problems of both. `empty` stands in should even the default fail to load.
    static func layers(userFile path: String, empty: Self) -> (base: Self, user: Self?, problems: [ConfigProblem]) {
        let defaults: Self
        do { defaults = try load(named: "default") } catch { return (empty, nil, error.problems) }
        let text: String?
        do { text = try ConfigFiles.read(path) } catch { return (defaults, nil, error.problems) }
        guard let text else { return (defaults, nil, []) }
        var (user, problems) = read(yaml: text, file: path)
        var base = defaults
        if let name = user.base, name != "default" {
            do {
                base = try load(named: name)
            } catch {
                problems.append(ConfigProblem(file: path, line: user.baseLine, unknownBase(name)))
            }
        }
        return (base, user, problems)
    }
}
