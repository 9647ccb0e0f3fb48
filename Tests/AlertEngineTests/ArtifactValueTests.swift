import Model
import Testing
@testable import AlertEngine

/// The parsers behind each artifact type, one value at a time.
@Suite struct ArtifactValueTests {
    static let domains: [(String, String?)] = [
        ("example.com", "example.com"),
        ("WWW.Example.COM", "www.example.com"),
        ("evil.example.com.", "evil.example.com"),
        ("login-microsoftonline.xyz", "login-microsoftonline.xyz"),
        ("a.io", "a.io"),
        ("bbc.co.uk", "bbc.co.uk"),
        ("xn--80ak6aa92e.com", "xn--80ak6aa92e.com"),
        ("3g2upl4pq6kufc4m.onion", "3g2upl4pq6kufc4m.onion"),
        ("payload.zip", "payload.zip"), // a field that says domain: .zip is a real TLD
        ("jane.name", "jane.name"),
        ("123.com", "123.com"),
        ("localhost", nil), ("dc01.corp.local", nil), ("1.2.3.4", nil), ("svchost.exe", nil), ("report.pdf", nil),
        ("-evil.com", nil), ("evil-.com", nil), ("ev_il.com", nil), ("evil..com", nil), (".com", nil), ("com", nil),
        ("evil.com..", nil), ("evil .com", nil), ("com.google.android", nil), ("v2.10", nil),
        (String(repeating: "a", count: 64) + ".com", nil),
        (String(repeating: "a", count: 63) + ".com", String(repeating: "a", count: 63) + ".com"),
        (Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".") + ".com", nil), // 308 bytes
    ]

    @Test(arguments: domains) func domainName(_ input: String, _ expected: String?) {
        #expect(DomainName.canonical(input) == expected)
    }

    static let emails: [(String, String?)] = [
        ("jane.doe@example.com", "jane.doe@example.com"),
        ("Jane.Doe+phish@Example.COM", "jane.doe+phish@example.com"),
        ("first_last@sub.example.co.uk", "first_last@sub.example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("Jane Doe <jane@example.com>", "jane@example.com"),
        ("jane@localhost", nil), ("jane@corp", nil), ("@example.com", nil), ("jane@", nil), ("jane", nil),
        (".jane@example.com", nil), ("jane.@example.com", nil), ("ja..ne@example.com", nil), ("ja ne@example.com", nil),
        ("jane@10.0.0.5", nil), ("jane@example.exe", nil), ("a@b@example.com", nil),
    ]

    @Test(arguments: emails) func emailAddress(_ input: String, _ expected: String?) {
        #expect(EmailAddress.canonical(input) == expected)
    }

    static let urls: [(String, String?)] = [
        ("http://example.com", "http://example.com"),
        ("HTTPS://Evil.Example.COM/Path/To?Q=A#Frag", "https://evil.example.com/Path/To?Q=A#Frag"),
        ("ftp://files.example.org/pub/x.tar.gz", "ftp://files.example.org/pub/x.tar.gz"),
        ("http://user:pass@evil.example.com:8080/x", "http://user:pass@evil.example.com:8080/x"),
        ("http://185.220.101.4/a.exe", "http://185.220.101.4/a.exe"),
        ("http://[2001:DB8::1]:8443/", "http://[2001:db8::1]:8443/"),
        ("http://intranet/login", "http://intranet/login"),
        ("http://evil.example.com./x", "http://evil.example.com./x"),
        ("http://", nil), ("http:///x", nil), ("http://:80/", nil), ("http://evil.com:99999999/", nil),
        ("http://evil.com:8a/", nil), ("http://1.2.3.256/", nil), ("http://3232235777/", nil), ("http://%s/", nil),
        ("http://[::1/", nil), ("http://evil.com/a b", nil), ("example.com/x", nil), ("/index.php", nil),
        ("mailto:jane@example.com", nil), ("javascript:alert(1)", nil),
    ]

    @Test(arguments: urls) func url(_ input: String, _ expected: String?) {
        #expect(URLText.canonical(input) == expected)
    }

    static let hashes: [(String, ArtifactType, String?)] = [
        ("D41D8CD98F00B204E9800998ECF8427E", .md5, "d41d8cd98f00b204e9800998ecf8427e"),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", .sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", .sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", .md5, nil), // a SHA-1 is not an MD5
        ("d41d8cd98f00b204e9800998ecf8427e", .sha256, nil),
        ("00000000000000000000000000000000", .md5, nil),
        (String(repeating: "f", count: 64), .sha256, nil),
        ("d41d8cd98f00b204e9800998ecf8427g", .md5, nil),
        ("d41d8cd98f00b204e9800998ecf8427", .md5, nil),
    ]

    @Test(arguments: hashes) func hash(_ input: String, _ type: ArtifactType, _ expected: String?) {
        #expect(Hashes.canonical(input, as: type) == expected)
    }

    static let cves: [(String, String?)] = [
        ("CVE-2024-3094", "CVE-2024-3094"), ("cve-2021-44228", "CVE-2021-44228"), ("CVE-2023-1234567", "CVE-2023-1234567"),
        ("CVE-1999-0001", "CVE-1999-0001"),
        ("CVE-2024-309", nil), ("CVE-24-3094", nil), ("CVE-2024-12345678", nil), ("CVE 2024 3094", nil),
        ("GHSA-8r3f-844c-mc37", nil), ("CVE-2024-3094x", nil), ("CVE-3024-3094", nil),
    ]

    @Test(arguments: cves) func cve(_ input: String, _ expected: String?) {
        #expect(CVEID.canonical(input) == expected)
    }

    static let fileNames: [(String, Bool)] = [
        ("svchost.exe", true), ("SVCHOST.EXE", true), ("invoice.pdf.exe", true), ("update.ps1", true), ("a.7z", true),
        ("payload.zip", true), ("clip.mov", true), ("install.sh", true), ("run.py", true), ("notes.one", true),
        ("README.md", true), ("libc.so", true), ("config.yaml", true),
        ("example.com", false), ("report", false), ("archive.zip2", false), ("e.g", false), ("v2.10.1", false),
    ]

    @Test(arguments: fileNames) func fileNameExtension(_ name: String, _ known: Bool) {
        #expect(FileName.hasKnownExtension(name) == known)
    }

    @Test func fileNameOfAPath() {
        #expect(FileName.of(path: #"C:\Users\x\a.exe"#) == "a.exe")
        #expect(FileName.of(path: "/usr/bin/curl") == "curl")
        #expect(FileName.of(path: "a.exe") == "a.exe")
    }

    static let refangs: [(String, String)] = [
        ("hxxp://evil[.]example[.]com/x", "http://evil.example.com/x"),
        ("HXXPS://evil[.]com", "https://evil.com"),
        ("hxxps[:]//evil[.]com/a", "https://evil.com/a"),
        ("hxxp[://]evil(.)com", "http://evil.com"),
        ("fxp://files{.}example{.}org", "ftp://files.example.org"),
        ("bad(dot)site", "bad.site"),
        ("bad[DOT]site", "bad.site"),
        ("user[@]example[.]org", "user@example.org"),
        ("user(@)example(.)org", "user@example.org"),
        ("user[at]example[dot]org", "user@example.org"),
        ("jane [at] example [dot] com", "jane@example.com"),
        ("1.2.3[.]4", "1.2.3.4"),
        ("10[.]0[.]0[.]1", "10.0.0.1"),
        ("evil[ . ]com", "evil.com"),
        ("visit evil dot example dot com now", "visit evil.example.com now"),
        ("EVIL DOT COM", "EVIL.COM"),
        // Prose stays prose.
        ("the dot com era", "the dot com era"),
        ("a dot in the box", "a dot in the box"),
        ("click the red dot then wait", "click the red dot then wait"),
        ("meet me (at) noon", "meet me (at) noon"),
        ("call f(x) and g[0]", "call f(x) and g[0]"),
        ("hxxpd is not a scheme", "hxxpd is not a scheme"),
        ("fox: the xx", "fox: the xx"),
        ("no defanging here: http://example.com", "no defanging here: http://example.com"),
        ("", ""),
    ]

    @Test(arguments: refangs) func refang(_ input: String, _ expected: String) {
        #expect(Refang.apply(input) == expected)
    }
}
