import Foundation

// PLACEHOLDERS: the artifact helper replaces this file with the real scanners
// (IPv4/IPv6 with private/public, domains with a TLD list, emails, URLs, hashes, CVEs,
// file names and paths, defanged forms) and their table-driven tests.

struct IPAddress {
    let text: String
    init?(_ s: String) {
        let parts = s.split(separator: ".")
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return nil }
        text = s
    }
}

enum Hashes {
    static func isHex(_ s: String, length: Int) -> Bool {
        s.utf8.count == length && s.allSatisfy(\.isHexDigit)
    }
}

enum DomainName {
    static func canonical(_ s: String) -> String? { s.contains(".") ? s.lowercased() : nil }
}

enum EmailAddress {
    static func canonical(_ s: String) -> String? { s.contains("@") ? s.lowercased() : nil }
}

enum Refang {
    static func apply(_ s: String) -> String { s }
}

enum TextScanner {
    static func scan(_ text: String) -> [Model.ArtifactMention] { [] }
}

import Model
