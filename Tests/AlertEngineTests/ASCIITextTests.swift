import Testing
@testable import AlertEngine

/// `lowercasedEquals` answers from the bytes what `lowercased() ==` answers: it rests on every
/// scalar that lower-cases to ASCII being ASCII itself or shrinking, which is checked here over
/// every scalar Unicode has, so a Unicode update that broke it would fail here first.
@Suite struct ASCIITextTests {
    @Test func aScalarThatLowerCasesToASCIIIsASCIIOrShrinks() {
        var shrinking: [Unicode.Scalar] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenLowercased else { continue }
            let lowered = String(scalar).lowercased()
            guard lowered.utf8.allSatisfy({ $0 < 0x80 }) else { continue }
            #expect(lowered.utf8.count < String(scalar).utf8.count, "U+\(String(value, radix: 16)) lower-cases to \(lowered)")
            shrinking.append(scalar)
        }
        #expect(shrinking.contains("\u{212A}"))  // KELVIN SIGN -> k: the case the rule is for
    }

    /// Eight bytes lower-cased at once are each byte as `ASCII.lower` makes it: every byte
    /// value at every place, beside every other value (no carry from one into the next).
    @Test func aWordLowerCasesAsItsBytesDo() {
        for place in 0..<8 {
            for value in 0...255 {
                for neighbour in [0x00, 0x40, 0x41, 0x5A, 0x5B, 0x60, 0x7F, 0x80, 0xC1, 0xDA, 0xFF] {
                    var bytes = [UInt8](repeating: UInt8(neighbour), count: 8)
                    bytes[place] = UInt8(value)
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    let expected = bytes.map(ASCII.lower).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    #expect(ASCII.lowerWord(word) == expected, "\(bytes)")
                }
            }
        }
    }

    @Test func equalsWhatLowerCasingGives() {
        let names: [StaticString] = ["security", "system", "k", "microsoft-windows-sysmon/operational", "", "sysmon/o", "windows powershell"]
        let texts = [
            "Security", "SECURITY", "security", "securit", "securityx", "Securitý", "\u{212A}", "K", "k", "kk", "\u{212A}\u{212A}",
            "Microsoft-Windows-Sysmon/Operational", "microsoft-windows-sysmon/operational", "Microsoft-Windows-Sysmon/Operationa",
            "", "System", "SYSTEM", "Syst\u{212A}em", "\u{130}", "SECUR\u{130}TY", "séc", "Sécurity",
            "SYSMON/O", "Sysmon/o", "Sysmon/0", "Windows PowerShell", "Windows PowerShelL", "Windows PowerShel", "Windows_PowerShell",
            "Windows Powershell\u{212A}", "Microsoft-Windows-Sysmon/Operationaλ", "Microsoft-Windows-Sysmon@Operational",
        ]
        for name in names {
            for text in texts {
                #expect(text.lowercasedEquals(name) == (text.lowercased() == name.description), "\(text) against \(name)")
                // A copy made from a slice (storage of its own) answers alike.
                let copy = String(Substring(text))
                #expect(copy.lowercasedEquals(name) == (text.lowercased() == name.description))
            }
        }
        #expect("MICROSOFT-WINDOWS-SYSMON/OPERATIONAL".lowercasedEquals("microsoft-windows-sysmon/operational"))
        #expect("\u{212A}".lowercasedEquals("k"))
        #expect(!"Security ".lowercasedEquals("security"))
    }
}
