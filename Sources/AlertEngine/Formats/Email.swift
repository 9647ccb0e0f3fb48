import Crypto
import Foundation
import Model

/// Email alerts: a message as an .eml file, one message of an mbox, or one file of a maildir.
/// RFC 5322 headers (folded, RFC 2047 encoded words), MIME bodies (multipart recursion,
/// base64 and quoted-printable, charsets), attachments hashed with SHA-256.
///
/// - Time is the `Date:` header; a message without one (or with an unreadable one) is an error.
/// - `sourceRef` is the `Message-ID` without its angle brackets.
/// - `email.from.address` is the first `From:` address (a string; its display name, which
///   spoofing plays on, in `email.from.name`); `email.to.address`,
///   `email.cc.address`, `email.reply_to.address` are arrays; attachments are parallel arrays
///   `email.attachments.file.name|hash.sha256|size|mime_type` (an attachment without a name has
///   the name "").
/// - Links in the bodies (HTML `href`s and bare URLs in text) are artifacts with the role `url`;
///   the text body (or the HTML's text when there is none) is in `texts`.
/// - Severity is low, medium when an attachment has an executable, script, macro or disk-image
///   extension.
struct EmailFormat: Format {
    let name = "email"

    /// Extensions that run code when opened (or carry macros), checked on the last extension,
    /// so `invoice.pdf.exe` counts.
    static let riskyExtensions: Set<String> = [
        "exe", "scr", "com", "pif", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "msi", "msp",
        "dll", "cpl", "jar", "lnk", "reg", "scf", "iso", "img", "vhd", "vhdx", "docm", "dotm", "xlsm", "xltm", "xlam", "xlsb",
        "pptm", "potm", "ppam", "ppsm", "sldm", "one", "appx", "msix", "application", "chm", "xll",
    ]

    func accepts(_ record: Record) -> Bool {
        if case .email = record.payload { return true }
        return false
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard case .email(let text) = record.payload else { throw NormalizeError("email: expected an email message") }
        let message = MIMEPart(Substring(text.replacingOccurrences(of: "\r\n", with: "\n")))
        guard !message.headers.isEmpty else { throw NormalizeError("email: no headers (not an RFC 5322 message)") }
        guard let dateText = message.header("Date"), !dateText.isEmpty else { throw NormalizeError("email: no Date header") }
        guard let time = LogTime.rfc5322(dateText) else {
            throw NormalizeError("email: Date is not an RFC 5322 date: \(dateText.prefix(60))")
        }

        var f: JSONObject = [:]
        func addresses(_ header: String) -> [String] {
            message.all(header).flatMap { MIME.addresses($0) }.map(\.address)
        }
        let from = message.all("From").flatMap { MIME.addresses($0) }
        if let first = from.first {
            f["email.from.address"] = .string(first.address)
            if let name = first.name { f["email.from.name"] = .string(name) }
        }
        if let sender = addresses("Sender").first { f["email.sender.address"] = .string(sender) }
        for (header, key) in [("To", "email.to.address"), ("Cc", "email.cc.address"), ("Bcc", "email.bcc.address"),
                              ("Reply-To", "email.reply_to.address")] {
            let list = addresses(header)
            if !list.isEmpty { f[key] = .array(list.map { .string($0) }) }
        }
        let subject = message.header("Subject").map { MIME.decodeWords($0).trimmingCharacters(in: .whitespaces) } ?? ""
        if !subject.isEmpty { f["email.subject"] = .string(subject) }
        let messageID = message.header("Message-ID").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t")) }
            .flatMap { $0.isEmpty ? nil : $0 }
        if let messageID { f["email.message_id"] = .string(messageID) }
        f["email.origination_timestamp"] = .string(time.iso8601)
        if let mailer = message.header("X-Mailer") ?? message.header("User-Agent") { f["email.x_mailer"] = .string(mailer) }
        f["email.content_type"] = .string(message.contentType.type)

        var content = MIME.Content()
        MIME.walk(message, into: &content)

        var risky = false
        if !content.attachments.isEmpty {
            var names: [JSONValue] = [], hashes: [JSONValue] = [], sizes: [JSONValue] = [], types: [JSONValue] = []
            for a in content.attachments {
                names.append(.string(a.name ?? ""))
                hashes.append(.string(EmailFormat.sha256(a.bytes)))
                sizes.append(.int(Int64(a.bytes.count)))
                types.append(.string(a.mimeType))
                if let name = a.name, let dot = name.lastIndex(of: "."),
                   EmailFormat.riskyExtensions.contains(name[name.index(after: dot)...].lowercased().trimmingCharacters(in: .whitespaces)) {
                    risky = true
                }
            }
            f["email.attachments.file.name"] = .array(names)
            f["email.attachments.file.hash.sha256"] = .array(hashes)
            f["email.attachments.file.size"] = .array(sizes)
            f["email.attachments.file.mime_type"] = .array(types)
        }

        var urls: [String] = []
        for html in content.html { urls += MIME.urls(html: html) }
        for plain in content.plain { urls += MIME.urls(text: plain) }
        var seen = Set<String>()
        var artifacts = urls.filter { seen.insert($0).inserted }.map { ArtifactMention(.url, $0, role: "url") }
        // Where the message came from: the relays' addresses as each Received header brackets
        // them (`from mail.evil.example (mail.evil.example [203.0.113.66])`), and the sender's domain.
        var relays = Set<String>()
        for received in message.all("Received") {
            for ip in EmailFormat.bracketedAddresses(received) where relays.insert(ip).inserted {
                artifacts.append(ArtifactMention(.ip, ip, role: "relay"))
            }
        }
        if let address = from.first?.address, let at = address.lastIndex(of: "@"), address.index(after: at) < address.endIndex {
            artifacts.append(ArtifactMention(.domain, String(address[address.index(after: at)...]).lowercased(), role: "sender_domain"))
        }

        let plain = content.plain.joined(separator: "\n").trimmed
        let body = plain.isEmpty ? content.html.map(MIME.text(html:)).joined(separator: "\n") : plain
        let sender = f["email.from.address"]?.stringValue ?? "unknown sender"
        return [Normalized(
            time: time, source: "email", sourceRef: messageID, kind: .email, severity: risky ? .medium : .low,
            title: "Email: \(subject.isEmpty ? "(no subject)" : subject) (from \(sender))", fields: f, raw: record.raw,
            artifacts: artifacts, texts: body.isEmpty ? [] : [body])]
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        let hex: [Character] = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(64)
        for b in SHA256.hash(data: bytes) {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
        return out
    }
}

extension EmailFormat {
    /// The addresses a Received header writes in brackets: `[203.0.113.66]`, `[IPv6:2001:db8::1]`.
    static func bracketedAddresses(_ header: String) -> [String] {
        var out: [String] = []
        var rest = header[...]
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            var inside = rest[rest.index(after: open)..<close]
            if inside.lowercased().hasPrefix("ipv6:") { inside = inside.dropFirst(5) }
            if let ip = IPAddress(String(inside)) { out.append(ip.text) }
            rest = rest[rest.index(after: close)...]
        }
        return out
    }
}
