/// ArcSight's Common Event Format, escaped as its specification ("Implementing ArcSight CEF",
/// revision 25) says, and no more: a receiver unescapes exactly those sequences, so anything
/// else escaped would arrive with a stray backslash.
///
///     CEF:0|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
enum CEF {
    /// The header: `|` separates fields, so `\` and `|` are escaped. The specification says
    /// nothing of line breaks there; a header is one line to every parser, so they become spaces.
    static func header(_ field: String) -> String {
        var out = ""
        out.reserveCapacity(field.utf8.count)
        for c in field.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "|": out += "\\|"
            case "\r", "\n": out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// An extension value: `=` separates keys from values, so `\` and `=` are escaped, and line
    /// breaks are written `\n` and `\r`. `|` is not escaped here: the specification forbids it.
    static func value(_ field: String) -> String {
        var out = ""
        out.reserveCapacity(field.utf8.count)
        for c in field.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "=": out += "\\="
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// One CEF event. Keys are taser's own (CEF key names), never escaped; values are cut to
    /// `limits` (in characters, before escaping, so an escape is never cut in two).
    static func event(
        vendor: String, product: String, version: String, signature: String, name: String, severity: Int,
        extensions: [(key: String, value: String)]
    ) -> String {
        let head = [vendor, product, version, signature, String(name.prefix(512))].map(CEF.header).joined(separator: "|")
        let tail = extensions.map { "\($0.key)=\(value(String($0.value.prefix(limit($0.key)))))" }.joined(separator: " ")
        return "CEF:0|\(head)|\(min(max(severity, 0), 10))|\(tail)"
    }

    /// The specification's lengths: `msg` 1023 characters, a custom string 4000, others 1023.
    static func limit(_ key: String) -> Int {
        key.hasPrefix("cs") && !key.hasSuffix("Label") ? 4000 : 1023
    }
}

extension CEF {
    /// An outbox message as CEF: the event name as the signature (`alert.created`), the
    /// headline as the name, and in the extension `rt` (milliseconds), `externalId` (the outbox
    /// id, the same on every retry, for the SIEM to deduplicate), `cs1` the entity (`case:12`),
    /// `cs2` the rule of an alert, `suser` the author of a log entry, and `msg` the change.
    static func event(_ e: ForwardedEvent, version: String) -> String {
        var ext: [(key: String, value: String)] = [
            ("rt", String(e.message.createdAt.ms)), ("externalId", String(e.message.id)),
            ("cs1Label", "taserEntity"), ("cs1", e.entity),
        ]
        if e.message.event.hasPrefix("alert."), let rule = e.payload.string("rule") {
            ext += [("cs2Label", "taserRule"), ("cs2", rule)]
        }
        if e.message.event == "case.log", let author = e.payload.string("author") {
            ext.append(("suser", author))
        }
        ext.append(("msg", e.text.isEmpty ? e.headline : e.text))
        return event(
            vendor: "taser", product: "taser", version: version, signature: e.message.event, name: e.headline,
            severity: e.scaledSeverity, extensions: ext)
    }
}
