import Foundation

/// `*` (any run) and `?` (one byte) over bytes, whole value; `\*` and `\?` are literal.
enum Glob {
    static func matches(_ s: ArraySlice<UInt8>, _ p: ArraySlice<UInt8>) -> Bool {
        s.withUnsafeBufferPointer { s in p.withUnsafeBufferPointer { p in matches(s, p) } }
    }

    /// Backtracks only to the last `*`, so it is linear in the value for most patterns and
    /// never worse than value length times pattern length.
    static func matches(_ s: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var si = 0, pi = 0
        var starP = -1, starS = 0
        while si < s.count {
            if pi < p.count {
                let c = p[pi]
                if c == UInt8(ascii: "*") {
                    pi += 1
                    starP = pi
                    starS = si
                    continue
                }
                if c == UInt8(ascii: "\\"), pi + 1 < p.count, p[pi + 1] == s[si] {
                    pi += 2
                    si += 1
                    continue
                }
                if c == UInt8(ascii: "?") || c == s[si] {
                    pi += 1
                    si += 1
                    continue
                }
            }
            guard starP >= 0 else { return false }
            starS += 1
            si = starS
            pi = starP
        }
        while pi < p.count {
            guard p[pi] == UInt8(ascii: "*") else { return false }
            pi += 1
        }
        return true
    }
}

/// Byte comparisons for the matcher, on libc's vectorized memchr and memcmp.
enum Bytes {
    /// Whether `needle` is in `hay`: memchr finds each place its first byte is (most bytes of
    /// a value are not it), memcmp compares the rest there.
    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let n = needle.baseAddress, let first = needle.first else { return true }
        guard needle.count <= hay.count, let h = hay.baseAddress else { return false }
        let rest = needle.count - 1
        var at = h
        let last = h + (hay.count - needle.count)  // the last place the needle can start
        while at <= last {
            guard let found = memchr(at, Int32(first), last - at + 1) else { return false }
            let p = found.assumingMemoryBound(to: UInt8.self)
            if rest == 0 || memcmp(p + 1, n + 1, rest) == 0 { return true }
            at = UnsafePointer(p) + 1
        }
        return false
    }

    static func hasPrefix(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard needle.count <= hay.count else { return false }
        guard let h = hay.baseAddress, let n = needle.baseAddress else { return true }
        return memcmp(h, n, needle.count) == 0
    }

    static func hasSuffix(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard needle.count <= hay.count else { return false }
        guard let h = hay.baseAddress, let n = needle.baseAddress else { return true }
        return memcmp(h + (hay.count - needle.count), n, needle.count) == 0
    }

    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && hasPrefix(a, b)
    }
}

/// An IPv4 or IPv6 network for CIDR tests.
struct Network: Sendable, Hashable {
    let address: [UInt8]
    let prefix: Int
    /// For an IPv4 network, its prefix's bits of the address and its mask, worked out once
    /// (0 and 0 for an IPv6 one): `contains` runs for every value a `|cidr` rule tests.
    private let ipv4Bits: UInt32, ipv4Mask: UInt32

    init?(_ text: String) {
        let parts = text.trimmed.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let bytes = Network.bytes(String(first)) else { return nil }
        let bits = bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, (0...bits).contains(prefix) else { return nil }
        self.address = bytes
        self.prefix = prefix
        if bytes.count == 4 {
            let mask: UInt32 = prefix == 0 ? 0 : ~0 << UInt32(32 - prefix)
            ipv4Mask = mask
            ipv4Bits = (UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])) & mask
        } else {
            (ipv4Bits, ipv4Mask) = (0, 0)
        }
    }

    func contains(_ ip: String) -> Bool { Network.anyContains(CollectionOfOne(self), ip) }

    /// Whether any of `networks` holds the address `ip`, read once for them all: a rule's
    /// `|cidr` list (a cloud provider's ranges run to hundreds) tested network by network read
    /// the address again for each. An IPv4 address is read from its bytes in place, where
    /// `inet_pton` on a trimmed copy cost 1,400 instructions (2 % of a hunt's); anything else
    /// goes the general way.
    static func anyContains<C: Collection<Network>>(_ networks: C, _ ip: String) -> Bool {
        if let read = ip.utf8.withContiguousStorageIfAvailable(Network.ipv4), let v4 = read {
            // An IPv4 address is in no IPv6 network.
            return networks.contains { $0.address.count == 4 && v4 & $0.ipv4Mask == $0.ipv4Bits }
        }
        guard let bytes = Network.bytes(ip.trimmed) else { return false }
        return networks.contains { $0.contains(bytes: bytes) }
    }

    private func contains(bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        var left = prefix
        for (a, b) in zip(address, bytes) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }

    /// The IPv4 address in `utf8`, spaces around it aside, as `inet_pton` reads one: four
    /// decimal octets of at most 255, none with a leading zero. Nil when it is not one (the
    /// caller then asks `inet_pton`, which decides).
    static func ipv4(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt32? {
        func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var i = 0, end = utf8.count
        while i < end, space(utf8[i]) { i += 1 }
        while end > i, space(utf8[end - 1]) { end -= 1 }
        var address: UInt32 = 0, octet: UInt32 = 0, digits = 0, octets = 0
        while i < end {
            let b = utf8[i]
            i += 1
            if b == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                address = address << 8 | octet
                octets += 1
                octet = 0
                digits = 0
            } else if b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                guard digits == 0 || octet != 0 else { return nil }  // a leading zero
                octet = octet * 10 + UInt32(b - UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, octets == 3 else { return nil }
        return address << 8 | octet
    }

    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
