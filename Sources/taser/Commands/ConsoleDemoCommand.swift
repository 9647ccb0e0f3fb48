import ArgumentParser
import Model
import Console

/// Hidden: runs the terminal driver on a built-in list, to try it on a real terminal and for
/// the end-to-end tests under tmux.
struct ConsoleDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console-demo", abstract: "Run the terminal driver on a built-in list (for testing).", shouldDisplay: false)
    @Option(help: "How many rows.", transform: count(1...10_000_000)) var rows = 200

    func run() throws {
        try Terminal.run(DemoModel(count: rows), styles: DemoModel.style)
    }
}
