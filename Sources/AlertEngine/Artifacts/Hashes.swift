import Model

/// File hashes: MD5, SHA-1 and SHA-256, told apart by length alone (32, 40 and 64 hex digits).
public enum Hashes {
    /// The hash type a hex string of this many digits is, or nil.
    public static func type(ofLength length: Int) -> ArtifactType? {
        switch length {
        case 32: .md5
        case 40: .sha1
        case 64: .sha256
        default: nil
        }
    }

    /// The hash in lowercase when `text` is one of `type`, or nil: wrong length, a non-hex
    /// digit, or one digit repeated (`000…0`, `fff…f`), which tools write for "no hash".
    public static func canonical(_ text: String, as type: ArtifactType) -> String? {
        text.withBytes { b in
            guard Hashes.type(ofLength: b.count) == type, isHash(b, 0, b.count) else { return nil }
            return b.lowercased(0, b.count)
        }
    }

    /// Whether `from..<to` is all hex digits and not one digit repeated.
    static func isHash(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard to > from else { return false }
        let first = ASCII.lower(b[from])
        var varied = false
        for k in from..<to {
            guard ASCII.isHex(b[k]) else { return false }
            if ASCII.lower(b[k]) != first { varied = true }
        }
        return varied
    }
}
