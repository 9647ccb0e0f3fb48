internal import Crypto

enum Hashing {
    static func sha256Hex(_ text: String) -> String { sha256Hex(bytes: Array(text.utf8)) }

    static func sha256Hex(bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        var out = ""
        out.reserveCapacity(64)
        let hex = Array("0123456789abcdef")
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return out
    }
}

extension Store {
    /// SHA-256 in lowercase hex, as the case log and signal identities use it.
    public static func sha256Hex(_ text: String) -> String { Hashing.sha256Hex(text) }
    public static func sha256Hex(bytes: [UInt8]) -> String { Hashing.sha256Hex(bytes: bytes) }
}
