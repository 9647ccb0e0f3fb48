import Foundation
import Model

/// One answer from one plugin: the query's output fields, and when the data was true.
public struct Answer: Sendable, Hashable {
    public var fields: [String: String]
    /// When the source saw it (a DHCP lease's time); nil when it does not say.
    public var seen: Timestamp?

    public init(fields: [String: String], seen: Timestamp? = nil) {
        self.fields = fields
        self.seen = seen
    }
}

/// A data source that answers some queries. Plugins name secrets (from `Credentials`), never
/// hold them in configuration; each runs with a deadline the router enforces.
public protocol Plugin: Sendable {
    var name: String { get }
    /// Higher is trusted more when answers disagree.
    var priority: Int { get }
    var timeout: Double { get }
    func answers(_ query: String) -> Bool
    /// Answers for `value` (already checked against the query's input type). Throws a
    /// `PluginFailure` that says what went wrong, without secrets.
    func ask(_ query: QueryDefinition, _ value: String) throws -> [Answer]
}

public struct PluginFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
