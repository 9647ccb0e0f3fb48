import Credentials
import Foundation

/// A program that answers: run with arguments (never through a shell, so a value cannot
/// inject anything), `{value}` and `{query}` filled in, `${secret:...}` filled from the secrets
/// store. It prints JSON (an object or a list of objects) or `key=value` lines.
public struct CommandPlugin: Plugin {
    public let name: String
    public let priority: Int
    public let timeout: Double
    let command: [String]
    let queries: Set<String>
    let secrets: Secrets

    public init(name: String, command: [String], queries: Set<String>, secrets: Secrets, priority: Int = 50, timeout: Double = 5) {
        self.name = name
        self.command = command
        self.queries = queries
        self.secrets = secrets
        self.priority = priority
        self.timeout = timeout
    }

    public func answers(_ query: String) -> Bool { queries.contains(query) }

    public func ask(_ query: QueryDefinition, _ value: String) throws -> [Answer] {
        guard let program = command.first else { throw PluginFailure("plugin \(name) has no command") }
        var arguments: [String] = []
        for a in command.dropFirst() {
            let filled = a.replacingOccurrences(of: "{value}", with: value).replacingOccurrences(of: "{query}", with: query.name)
            do { arguments.append(try secrets.resolve(filled, for: "plugin \(name)")) } catch { throw PluginFailure("\(error)") }
        }
        let run: ProgramRun.Result
        do { run = try ProgramRun.run([program] + arguments, timeout: timeout) } catch { throw PluginFailure("plugin \(name): \(error)") }
        if run.timedOut { throw PluginFailure("plugin \(name): \(program) did not finish in \(String(format: "%g", timeout)) s; stopped it and what it started") }
        guard run.status == 0 else {
            let said = secrets.redact(String(decoding: run.errors, as: UTF8.self)).split(separator: "\n").first.map(String.init) ?? ""
            throw PluginFailure("plugin \(name): \(program) exited with \(run.status)\(said.isEmpty ? "" : ": \(said)")")
        }
        return try CommandPlugin.parse(String(decoding: run.output, as: UTF8.self), plugin: name)
    }

    static func parse(_ text: String, plugin: String) throws -> [Answer] {
        let trimmed = text.trimmed
        if trimmed.isEmpty { return [] }
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            guard let json = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) else {
                throw PluginFailure("plugin \(plugin) printed JSON that does not parse")
            }
            let objects = (json as? [[String: Any]]) ?? ((json as? [String: Any]).map { [$0] } ?? [])
            return objects.map { Answer(fields: $0.mapValues { "\($0)" }) }
        }
        var fields: [String: String] = [:]
        for line in trimmed.split(whereSeparator: \.isNewline) {  // CRLF too: "\r\n" is one Character
            guard let eq = line.firstIndex(of: "=") else {
                throw PluginFailure("plugin \(plugin) printed '\(line.prefix(60))', neither JSON nor key=value")
            }
            fields[String(line[..<eq]).trimmed] = String(line[line.index(after: eq)...]).trimmed
        }
        return [Answer(fields: fields)]
    }
}
