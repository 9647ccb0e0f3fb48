import Foundation

/// A closed set of words an analyst types (`in-progress`, `true-positive`, `amber+strict`):
/// parsing forgives case, spaces, hyphens and underscores, and the error lists the valid words.
public protocol Choice: RawRepresentable<String>, CaseIterable, Sendable, Hashable, Codable {}

extension Choice {
    public init?(parsing text: String) {
        let key = Self.fold(text)
        guard let match = Self.allCases.first(where: { Self.fold($0.rawValue) == key }) else { return nil }
        self = match
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    static func fold(_ s: String) -> String {
        s.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }
    }
}
