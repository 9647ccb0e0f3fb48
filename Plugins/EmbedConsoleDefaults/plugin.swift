import Foundation
import PackagePlugin

/// Builds the shipped keymaps and themes into the Console module: the YAML files at the top of
/// the repository (`Keymaps/*.yaml`, `Themes/*.yaml`) are the one source, and the binary carries
/// their text, so an installed `taser` needs no resource bundle beside it. Each file is a declared
/// input, so editing one rebuilds. The folders are inputs too, and the tool lists them itself when
/// it runs: SwiftPM keeps the command this plugin returned until the package changes, so a file
/// added or removed there (which changes its folder) would otherwise go unnoticed.
@main
struct EmbedConsoleDefaults: BuildToolPlugin {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        var folders: [URL] = [], inputs: [URL] = []
        for folder in ["Keymaps", "Themes"] {
            let directory = context.package.directoryURL.appending(path: folder)
            folders.append(directory)
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory.path(percentEncoded: false))
            } catch {
                throw Failure(description: "cannot list \(folder)/ at the top of the package (\(error)); the console's built-in \(folder.lowercased()) live there")
            }
            inputs += names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appending(path: $0) }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltInFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding the shipped keymaps and themes in \(target.name)",
                executable: try context.tool(named: "EmbedConsoleDefaultsTool").url,
                arguments: [output.path(percentEncoded: false)] + folders.map { $0.path(percentEncoded: false) },
                inputFiles: folders + inputs,
                outputFiles: [output]
            ),
        ]
    }
}
