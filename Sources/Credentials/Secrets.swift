import Foundation
import Yams

/// Where credentials come from: the environment, or a secrets file only its owner can read.
/// Configuration names them (`${env:OKTA_TOKEN}`, `${secret:duo_skey}`) and never holds them;
/// `redact` takes every known secret value out of text before it is printed or stored.
public struct Secrets: Sendable {
    private let values: [String: String]
    private let environment: [String: String]

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public init(values: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
        self.environment = environment
    }

    /// Loads a YAML file of `name: value`. Refuses a file others can read: a secret in a
    /// world-readable file is already leaked.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Secrets {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Problem(description: "secrets file \(path) does not exist") }
        guard info.st_mode & 0o077 == 0 else {
            throw Problem(description: String(format: "secrets file %@ is readable by others (mode %o); run chmod 600 %@", path, Int(info.st_mode & 0o777), path))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw Problem(description: "cannot read secrets file \(path)") }
        guard let map = (try? Yams.load(yaml: text)) as? [String: Any] else {
            throw Problem(description: "secrets file \(path) must be a YAML mapping of name: value")
        }
        return Secrets(values: map.mapValues { "\($0)" }, environment: environment)
    }

    /// Fills `${env:NAME}` and `${secret:name}` references (`${NAME}` is the environment).
    public func resolve(_ template: String, for what: String) throws -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.range(of: "${") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            out += rest[..<open.lowerBound]
            let reference = String(rest[open.upperBound..<close])
            out += try lookup(reference, for: what)
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    func lookup(_ reference: String, for what: String) throws -> String {
        if reference.hasPrefix("secret:") {
            let name = String(reference.dropFirst(7))
            guard let v = values[name], !v.isEmpty else {
                throw Problem(description: "\(what) needs secret '\(name)', which the secrets file does not hold")
            }
            return v
        }
        let name = reference.hasPrefix("env:") ? String(reference.dropFirst(4)) : reference
        guard let v = environment[name], !v.isEmpty else {
            throw Problem(description: "\(what) needs environment variable \(name), which is not set")
        }
        return v
    }

    /// Text with every secret value (from the file, and environment values named in
    /// configuration) replaced by `***`.
    public func redact(_ text: String, also extra: [String] = []) -> String {
        var out = text
        for secret in Array(values.values) + extra where secret.count >= 4 {
            out = out.replacingOccurrences(of: secret, with: "***")
        }
        return out
    }
}
