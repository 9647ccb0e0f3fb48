import Foundation
import Model
import Yams

/// An identities file, as HR or a directory exports one: each row (CSV) or entry (YAML) is one
/// person, and every identifier column of it names them. Recognized columns, in any case,
/// with `_`, `-` or spaces:
///
/// - logins: `login`, `username`, `user`, `samaccountname`;
/// - emails: `email`, `mail`, `upn`, `userprincipalname`, `email_address`;
/// - `domain` (with a login: also `DOMAIN\login`);
/// - vendor ids: `id`, `user_id`, `employee_id`, `okta_id`, `duo_id`, `sid`, `object_id`;
/// - `aliases` (or `identifiers`): more names, separated by `;` or `|` (a YAML list too).
///
/// Other columns (name, title, department, manager) are left alone.
public enum IdentitiesFile {
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The largest file read: an export of a few hundred thousand people.
    public static let maxBytes = 64 << 20

    public static func read(path: String) throws -> [[Identifier]] {
        let name = (path as NSString).lastPathComponent
        // The size first: a wrong path to a huge file must not be read whole to be refused.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw Problem(description: "cannot read \(path): no such file or not readable")
        }
        let size = (attributes[.size] as? Int) ?? 0
        guard size <= maxBytes else {
            throw Problem(description: "\(name): \(size) bytes is more than an identities file may hold (\(maxBytes >> 20) MiB); split it")
        }
        guard let data = FileManager.default.contents(atPath: path), data.count <= maxBytes else {
            throw Problem(description: "cannot read \(path): not a readable file of at most \(maxBytes >> 20) MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Problem(description: "\(name): not UTF-8 text") }
        let lower = name.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") { return try people(yaml: text, name: name) }
        return try people(csv: text, name: name)
    }

    static func people(csv text: String, name: String) throws -> [[Identifier]] {
        let rows = CSVTable.rows(text)
        guard let header = rows.first else { throw Problem(description: "\(name): empty; the first line names the columns (login,email,...)") }
        let columns = header.map(column)
        guard columns.contains(where: { $0 != nil }) else {
            throw Problem(description: "\(name): no identifier columns in '\(header.joined(separator: ","))'; name them login, email, domain, id or aliases")
        }
        var out: [[Identifier]] = []
        for row in rows.dropFirst() {
            var values: [(Column, String)] = []
            for (n, value) in row.enumerated() where n < columns.count {
                if let c = columns[n] { values.append((c, value)) }
            }
            let person = identifiers(values)
            if person.count > 1 { out.append(person) }
        }
        return out
    }

    static func people(yaml text: String, name: String) throws -> [[Identifier]] {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw Problem(description: "\(name): not YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        let list: [Any]
        if let l = root as? [Any] {
            list = l
        } else if let m = root as? [String: Any], let l = m["people"] as? [Any] {
            list = l
        } else {
            throw Problem(description: "\(name): expected a list of people (or `people:` holding one), each with login, email, ...")
        }
        var out: [[Identifier]] = []
        for (n, entry) in list.enumerated() {
            guard let person = entry as? [String: Any] else { throw Problem(description: "\(name): person \(n + 1) is not a mapping of login, email, ...") }
            var values: [(Column, String)] = []
            for (key, value) in person.sorted(by: { $0.key < $1.key }) {
                guard let c = column(key) else { continue }
                if let list = value as? [Any] {
                    values += list.map { (c, "\($0)") }
                } else if value is [String: Any] {
                    throw Problem(description: "\(name): person \(n + 1): `\(key)` must be text or a list of text")
                } else {
                    values.append((c, "\(value)"))
                }
            }
            let identifiers = identifiers(values)
            if identifiers.count > 1 { out.append(identifiers) }
        }
        return out
    }

    enum Column { case login, email, domain, vendorID, aliases }

    static func column(_ header: String) -> Column? {
        let key = header.lowercased().trimmed.replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        switch key {
        case "login", "username", "user", "user_name", "samaccountname", "sam_account_name", "sam": return .login
        case "email", "mail", "email_address", "upn", "userprincipalname", "user_principal_name", "work_email": return .email
        case "domain", "netbios_domain": return .domain
        case "id", "user_id", "employee_id", "employeeid", "okta_id", "duo_id", "duo_user_id", "sid", "object_id", "objectid": return .vendorID
        case "aliases", "alias", "identifiers", "other_names": return .aliases
        default: return nil
        }
    }

    /// One person's identifiers, the preferred kind first; blank and overlong values dropped.
    static func identifiers(_ values: [(Column, String)]) -> [Identifier] {
        var out: [Identifier] = []
        let domain = values.first { $0.0 == .domain }?.1.trimmed
        for (column, value) in values where !value.trimmed.isEmpty {
            switch column {
            case .login:
                out.append(Identifier(naming: value))
                if let domain, !domain.isEmpty, !value.contains("\\") { out.append(Identifier("\(domain)\\\(value.trimmed)", kind: .domainLogin)) }
            case .email: out.append(Identifier(value, kind: .email))
            case .vendorID: out.append(Identifier(value, kind: .vendorID))
            case .aliases:
                for alias in value.split(whereSeparator: { $0 == ";" || $0 == "|" }) { out.append(Identifier(naming: String(alias))) }
            case .domain: break
            }
        }
        return Identifier.distinct(out).sorted { ($0.kind.preference, $0.value) < ($1.kind.preference, $1.value) }
    }
}
