import Foundation

/// Fills `{name}` in a playbook text from the run's variables (`{user}`, `{case.id}`,
/// `{alert.title}`, `{manager}`, `{info.email}`). An unknown name stays as written, so a
/// mistake shows in the message instead of vanishing; `{{` is a literal brace.
public enum Template {
    public static func fill(_ text: String, _ vars: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest.index(after: open)
            if after < rest.endIndex, rest[after] == "{" {
                out += "{"
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard let close = rest[after...].firstIndex(of: "}") else {
                out += rest[open...]
                return out
            }
            let name = String(rest[after..<close]).trimmingCharacters(in: .whitespaces)
            out += vars[name] ?? "{\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The variable names a text uses.
    public static func names(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }
}
