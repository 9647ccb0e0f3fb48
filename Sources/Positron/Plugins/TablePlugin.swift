import Foundation
import Model
import Yams

/// A file as a lookup table: an HR export (CSV) for USER_MANAGER and USER_INFO, an asset list
/// (JSON or YAML list of objects) for HOSTNAME_TO_IP. Each query names the column to match
/// the value against and the columns that make the answer:
///
///     queries:
///       USER_MANAGER: { key: login, answer: { manager: manager_login } }
///
/// The file is read when the plugin is made; matching ignores case.
public struct TablePlugin: Plugin {
    public struct Mapping: Sendable {
        public var key: String
        public var answer: [String: String]
    }

    public let name: String
    public let priority: Int
    public let timeout: Double
    let rows: [[String: String]]
    let mappings: [String: Mapping]

    public init(name: String, file: String, mappings: [String: Mapping], priority: Int = 50, timeout: Double = 2) throws(PositronError) {
        self.name = name
        self.priority = priority
        self.timeout = timeout
        self.mappings = mappings
        rows = try TablePlugin.read(file, plugin: name)
    }

    public func answers(_ query: String) -> Bool { mappings[query] != nil }

    public func ask(_ query: QueryDefinition, _ value: String) throws -> [Answer] {
        guard let m = mappings[query.name] else { return [] }
        return rows.filter { $0[m.key]?.lowercased() == value.lowercased() }.map { row in
            Answer(fields: m.answer.reduce(into: [:]) { out, pair in
                if let v = row[pair.value], !v.isEmpty { out[pair.key] = v }
            })
        }.filter { !$0.fields.isEmpty }
    }

    static func read(_ path: String, plugin: String) throws(PositronError) -> [[String: String]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .config("plugin \(plugin): cannot read its table \(path)")
        }
        if path.hasSuffix(".csv") {
            let lines = CSVTable.rows(text)
            guard let header = lines.first else { return [] }
            return lines.dropFirst().map { values in
                Dictionary(zip(header, values).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
            }
        }
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw .config("plugin \(plugin): \(path) is not JSON or YAML: \(error)") }
        guard let list = loaded as? [[String: Any]] else { throw .config("plugin \(plugin): \(path) must be a list of objects") }
        return list.map { $0.mapValues { "\($0)" } }
    }
}

