internal import Crypto

enum Hashing {
    static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: $0)) }
    }

    static func sha256Hex(bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// HMAC-SHA256 of `text` under `key`, in lowercase hex: the case log's keyed seal.
    static func hmacHex(_ text: String, key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key))
        return hex(mac)
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        // Hashed once per ingested signal without a vendor id: built as bytes, not Characters.
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 64) { out in
            var n = 0
            for byte in digest {
                out[n] = digits.utf8Start[Int(byte >> 4)]
                out[n + 1] = digits.utf8Start[Int(byte & 15)]
                n += 2
            }
            return n
        }
    }
}

extension Store {
    /// SHA-256 in lowercase hex, as the case log and signal identities use it.
    public static func sha256Hex(_ text: String) -> String { Hashing.sha256Hex(text) }
    public static func sha256Hex(bytes: [UInt8]) -> String { Hashing.sha256Hex(bytes: bytes) }
    /// HMAC-SHA256 in lowercase hex, as the case log seals entries with its key.
    public static func hmacSHA256Hex(_ text: String, key: [UInt8]) -> String { Hashing.hmacHex(text, key: key) }
}

/// SHA-256 over bytes that come a block at a time (a drop folder's file, hashed without
/// holding it in memory), in the same lowercase hex as `Store.sha256Hex`.
public final class StreamingSHA256 {
    private final class State { var hasher = SHA256() }
    private let state = State()

    public init() {}

    public func update(_ bytes: [UInt8]) { state.hasher.update(data: bytes) }

    public func hex() -> String {
        let digest = state.hasher.finalize()
        return Store.sha256Hex(digest: Array(digest))
    }
}

extension Store {
    static func sha256Hex(digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }
}
