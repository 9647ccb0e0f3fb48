import Testing
@testable import AlertEngine

/// A path's last name (`VendorJSON.basename`) and a `DOMAIN\name` login's two sides
/// (`ECS.windowsLogin`) read from ASCII text's bytes give what reading its Characters gives:
/// over texts of separators, letters, spaces and non-ASCII (a combining accent after a
/// backslash makes one Character of the two), with empty sides and repeated separators.
@Suite struct NameSplitTests {
    static let pieces = ["\\", "/", "a", "B", "7", ".", " ", "é", "e\u{301}", "\u{301}", "\\\u{301}", "日"]

    /// The Character-by-Character answers the byte paths must give.
    static func basename(_ path: String) -> String {
        guard let cut = path.lastIndex(where: { $0 == "/" || $0 == "\\" }) else { return path }
        return String(path[path.index(after: cut)...])
    }

    static func windowsLogin(_ login: String) -> (domain: String, name: String)? {
        guard let slash = login.firstIndex(of: "\\"), slash != login.startIndex else { return nil }
        let name = login[login.index(after: slash)...]
        guard !name.isEmpty, !name.contains("\\") else { return nil }
        return (String(login[..<slash]), String(name))
    }

    @Test func theBytesGiveWhatTheCharactersGive() throws {
        var state: UInt64 = 11
        func next(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
        var split = 0
        for _ in 0..<20_000 {
            // Mostly ASCII, as logins and paths are; a long one now and then has storage of its own.
            let ascii = next(3) != 0
            let count = next(4) == 0 ? 16 + next(30) : next(10)
            let text = (0..<count).map { _ in ascii ? Self.pieces[next(7)] : Self.pieces[next(Self.pieces.count)] }.joined()
            #expect(VendorJSON.basename(text) == Self.basename(text), "\(text.unicodeScalars.map { $0.value })")
            let got = ECS.windowsLogin(text), want = Self.windowsLogin(text)
            #expect(got?.domain == want?.domain && got?.name == want?.name, "\(text.unicodeScalars.map { $0.value })")
            if want != nil { split += 1 }
        }
        #expect(split > 1000)
        let corp = try #require(ECS.windowsLogin(#"CORP\jdoe"#))
        #expect(corp.domain == "CORP" && corp.name == "jdoe")
        #expect(ECS.windowsLogin(#"\jdoe"#) == nil && ECS.windowsLogin(#"CORP\"#) == nil && ECS.windowsLogin(#"A\B\C"#) == nil)
        #expect(VendorJSON.basename(#"C:\Windows\System32\cmd.exe"#) == "cmd.exe" && VendorJSON.basename("/usr/bin/") == "")
    }
}
