import Engine
import Foundation

/// Opens the console for an analyst: their keys and theme (with any problems in those files
/// shown on the status line, the defaults standing in), Positron as they configured it (a
/// config that could not be read comes as its problem, shown the same way), the app, and the
/// terminal.
public enum ConsoleLauncher {
    public static func run(
        engine: any TaserAPI, positron: ConsolePositron = ConsolePositron(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let (keymap, keyProblems) = Keymap.forUser(environment: environment)
        let (theme, themeProblems) = Theme.forUser(environment: environment)
        // Named from the config folder (`keys.yaml:3:`): the bar has no room for the whole path,
        // and `taser config check`, which the bar points to, prints it.
        let directory = ConfigFiles.directory(environment: environment)
        let problems = (keyProblems + themeProblems).map { $0.relative(to: directory).description }
        let app = try App(engine: engine, bindings: keymap, problems: problems, positron: positron)
        try Terminal.run(app, styles: { theme.style($0) })
    }
}
