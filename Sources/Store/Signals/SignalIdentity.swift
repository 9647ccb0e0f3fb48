internal import GRDB

/// A signal's identity is (source, source_ref). The index that finds an identity holds a 64-bit
/// key of the pair instead of the pair itself: source refs are vendor UUIDs or SHA-256 hex,
/// random and 40-70 bytes long, and a unique index of them was the most expensive part of
/// storing a signal (each batch dirtied nearly every page of an index that grows with the
/// table, about 7 µs per signal at 200,000). The key's index is a fifth of the size. Keys may
/// collide (distinct pairs, one key), so every lookup also compares the pair: a collision costs
/// one more row read, never a lost signal.
enum SignalIdentity {
    /// FNV-1a over `source`, a 0xFF separator (never a byte of UTF-8, so ("ab", "c") and
    /// ("a", "bc") differ) and `ref`, then a 64-bit finalizer (MurmurHash3's fmix64) so nearby
    /// inputs spread over the whole index. Stable across processes and versions: it is stored.
    static func key(source: String, ref: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        for byte in source.utf8 { mix(byte) }
        mix(0xFF)
        for byte in ref.utf8 { mix(byte) }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return Int64(bitPattern: hash)
    }

    /// `taser_signal_identity(source, source_ref)`, for the migration that keys stored signals.
    static let sqlFunction = DatabaseFunction("taser_signal_identity", argumentCount: 2, pure: true) { values in
        guard let source = String.fromDatabaseValue(values[0]), let ref = String.fromDatabaseValue(values[1]) else { return nil }
        return key(source: source, ref: ref)
    }
}
