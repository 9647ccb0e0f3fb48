/// File names: a name with an extension of something that runs, opens or unpacks. In free
/// text a name is a file only when its extension is known, so `e.g.` and `Dr.Smith` stay
/// words; and a known extension beats a TLD, because `invoice.zip`, `update.sh`, `run.py`,
/// `notes.one`, `README.md` and `libc.so` in a log are files far more often than hosts under
/// .zip, .sh (Saint Helena), .py (Paraguay), .one, .md (Moldova) or .so (Somalia).
public enum FileName {
    static let extensionList = """
        exe dll sys scr cpl ocx drv efi msi msp msix appx appxbundle lnk pif so dylib elf bin ko \
        bat cmd ps1 psm1 psd1 vbs vbe js jse mjs wsf wsh wsc sct hta reg inf sh bash zsh ksh csh \
        py pyc pyw rb php phtml php5 asp aspx ashx asmx jsp jspx cgi lua scpt \
        jar class war ear apk dex ipa deb rpm dmg pkg \
        doc docx docm dotm xls xlsx xlsm xlsb xlam xll ppt pptx pptm pps ppsx ppam pdf rtf odt ods odp \
        one md txt csv xml html htm mht mhtml svg eml msg ics iqy slk url chm \
        zip rar 7z tar gz tgz bz2 xz cab iso img vhd vhdx arj ace lzh \
        json yaml yml toml ini cfg conf config log dat db sqlite bak tmp key pem crt cer der pfx p12 \
        kdbx ovpn rdp evtx pcap pcapng dmp \
        mov mp4 avi mkv mp3 wav jpg jpeg png gif bmp ico webp
        """

    static let extensions: Set<UInt64> = WordKey.set(extensionList)

    /// Whether the name ends in a known extension (`svchost.exe`, `Invoice.PDF`).
    public static func hasKnownExtension(_ name: String) -> Bool {
        name.withBytes { hasKnownExtension($0, 0, $0.count) }
    }

    /// The last component of a Windows or Unix path.
    public static func of(path: String) -> Substring {
        let sep = path.lastIndex(where: { $0 == "\\" || $0 == "/" })
        return sep.map { path[path.index(after: $0)...] } ?? path[...]
    }

    static func hasKnownExtension(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        var dot = to - 1
        while dot > from, b[dot] != UInt8(ascii: ".") { dot -= 1 }
        guard dot > from, let key = WordKey.of(b, dot + 1, to) else { return false }
        return extensions.contains(key)
    }

    /// Whether a word in free text is a file name: a known extension after a stem of letters,
    /// digits, dots, hyphens and underscores with at least one letter or digit in it.
    static func isLikelyInText(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard to - from <= 255, hasKnownExtension(b, from, to) else { return false }
        var dot = to - 1
        while dot > from, b[dot] != UInt8(ascii: ".") { dot -= 1 }
        var stemHasAlnum = false
        for k in from..<to {
            let c = b[k]
            if ASCII.isAlnum(c) {
                if k < dot { stemHasAlnum = true }
                continue
            }
            guard c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") else { return false }
        }
        return stemHasAlnum
    }
}
