import Foundation

/// How bad a signal, alert or case is. Ordered, so `severity>=high` means what it says.
public enum Severity: Int, CaseIterable, Comparable, Sendable, Codable, CustomStringConvertible {
    case info = 0, low, medium, high, critical

    public var name: String {
        switch self {
        case .info: "info"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    public var description: String { name }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    /// Accepts the names, common vendor words, and TheHive's numbers (1 low ... 4 critical).
    public init?(parsing text: String) {
        switch text.lowercased().trimmingCharacters(in: .whitespaces) {
        case "info", "informational", "information", "0": self = .info
        case "low", "1": self = .low
        case "medium", "med", "moderate", "2": self = .medium
        case "high", "3": self = .high
        case "critical", "crit", "4": self = .critical
        default: return nil
        }
    }

    public static var names: String { allCases.map(\.name).joined(separator: ", ") }
}
