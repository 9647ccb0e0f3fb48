import Engine
import Foundation

/// Opens the console for an analyst: their keys and theme (with any problems in those files
/// shown on the status line, the defaults standing in), Positron as they configured it (a
/// config that could not be read comes as its problem, shown the same way), the app, and the
/// terminal.
public enum ConsoleLauncher {
    public static func run(
        engine: Engine, positron: ConsolePositron = ConsolePositron(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let (keymap, keyProblems) = Keymap.forUser(environment: environment)
        let (theme, themeProblems) = Theme.forUser(environment: environment)
        let app = try App(engine: engine, bindings: keymap, problems: (keyProblems + themeProblems).map(\.description), positron: positron)
        try Terminal.run(app, styles: { theme.style($0) })
    }
}
