/// An IPv4 or IPv6 address as analysts pivot on it: one canonical spelling per address
/// (`2001:DB8:0:0::1` and `2001:db8::1` are one artifact) and where it sits on the network.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// Where an address is routed, which decides whether it is worth a threat-intel lookup.
    public enum Scope: String, Sendable, CaseIterable {
        /// Routed on the internet.
        case `public`
        /// RFC 1918, carrier-grade NAT (100.64.0.0/10) and IPv6 unique local (fc00::/7).
        case `private`
        /// 169.254.0.0/16 and fe80::/10: never leaves the segment.
        case linkLocal = "link-local"
        case loopback
        case multicast
        /// Documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32),
        /// benchmarking, broadcast and IETF-reserved or unallocated space: no real peer.
        case reserved
        /// 0.0.0.0 and `::`: "any address", a bind, not a peer.
        case unspecified
    }

    public let isIPv4: Bool
    /// The address: IPv4 in the low 32 bits of `low`, IPv6 as two 64-bit halves.
    let high: UInt64
    let low: UInt64
    /// The canonical spelling: dotted decimal, or RFC 5952 (lowercase, shortest, `::` for the
    /// longest run of zero groups, `::ffff:1.2.3.4` for IPv4-mapped addresses).
    public let text: String

    /// Parses an address; an IPv6 zone (`fe80::1%eth0`) is dropped because it names an interface
    /// of the host that logged it, not the peer. Leading-zero octets (`010.1.1.1`) are refused:
    /// tools disagree on whether they are octal.
    public init?(_ text: String) {
        guard let ip = text.withBytes({ IPAddress.parse($0, 0, $0.count) }) else { return nil }
        self = ip
    }

    init(v4: UInt32) {
        isIPv4 = true
        high = 0
        low = UInt64(v4)
        text = IPAddress.dotted(v4)
    }

    init(v6 high: UInt64, _ low: UInt64) {
        isIPv4 = false
        self.high = high
        self.low = low
        text = IPAddress.rfc5952(high, low)
    }

    public var description: String { text }

    public var scope: Scope {
        isIPv4 ? IPAddress.scope(v4: UInt32(truncatingIfNeeded: low)) : scopeV6
    }

    /// Inside an organisation's own network, or this host: private, link-local or loopback.
    public var isPrivate: Bool { [.private, .linkLocal, .loopback].contains(scope) }

    public var isPublic: Bool { scope == .public }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`, as dual-stack
    /// Windows and Java servers log IPv4 clients), or nil.
    public var unmapped: IPAddress? {
        isMapped ? IPAddress(v4: UInt32(truncatingIfNeeded: low)) : nil
    }

    public var bitCount: Int { isIPv4 ? 32 : 128 }

    var isMapped: Bool { !isIPv4 && high == 0 && low >> 32 == 0xFFFF }

    /// Whether the address is a network's first address for a prefix length shorter than the
    /// address: `10.0.0.0/8` names a network, `10.0.0.5/24` a host on it.
    func isNetwork(prefix: Int) -> Bool {
        guard prefix >= 0, prefix < bitCount else { return false }
        if isIPv4 { return low & (UInt64(UInt32.max) >> UInt64(prefix)) == 0 }
        if prefix >= 64 { return low & (UInt64.max >> UInt64(prefix - 64)) == 0 }
        return low == 0 && high & (UInt64.max >> UInt64(prefix)) == 0
    }

    /// Whether free text that looks like this address most likely names a peer. IPv4 in
    /// 0.0.0.0/8 or 240.0.0.0/4 is a bind-all, a netmask (`255.255.255.0`), a wildcard mask
    /// (`0.0.0.255`) or the broadcast address. IPv6 counts in allocated unicast (2000::/3),
    /// unique local, link-local, multicast, loopback, IPv4-mapped and NAT64 space; anything else
    /// (`::`, `ab::cd`, `12:34:56:78:9a:bc:de:f0`) is far more often a MAC address, a Perl
    /// package or a clock than an address in unallocated space.
    var isLikelyInText: Bool {
        if isIPv4 {
            let first = low >> 24
            return first != 0 && first < 240
        }
        let top = high >> 48
        if top & 0xE000 == 0x2000 || top & 0xFE00 == 0xFC00 || top & 0xFFC0 == 0xFE80 || top & 0xFF00 == 0xFF00 { return true }
        if high == 0 && low == 1 { return true }
        return isMapped || isNAT64
    }

    var isNAT64: Bool { high == 0x0064_FF9B_0000_0000 && low >> 32 == 0 }

    // MARK: Scope

    static func scope(v4 a: UInt32) -> Scope {
        func within(_ net: UInt32, _ bits: UInt32) -> Bool { a >> (32 - bits) == net >> (32 - bits) }
        if a == 0 { return .unspecified }
        if within(0x7F00_0000, 8) { return .loopback }
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) || within(0x6440_0000, 10) { return .private }
        if within(0xA9FE_0000, 16) { return .linkLocal }
        if within(0xE000_0000, 4) { return .multicast }
        if within(0x0000_0000, 8) // "this network"
            || within(0xC000_0000, 24) // IETF protocol assignments
            || within(0xC000_0200, 24) || within(0xC633_6400, 24) || within(0xCB00_7100, 24) // documentation
            || within(0xC612_0000, 15) // benchmarking
            || within(0xF000_0000, 4) // reserved, and the broadcast address
        { return .reserved }
        return .public
    }

    private var scopeV6: Scope {
        if high == 0 && low == 0 { return .unspecified }
        if high == 0 && low == 1 { return .loopback }
        if isMapped || isNAT64 { return IPAddress.scope(v4: UInt32(truncatingIfNeeded: low)) }
        let top = high >> 48
        if top & 0xFE00 == 0xFC00 { return .private }
        if top & 0xFFC0 == 0xFE80 { return .linkLocal }
        if top & 0xFF00 == 0xFF00 { return .multicast }
        if high >> 32 == 0x2001_0DB8 { return .reserved }
        if top & 0xE000 == 0x2000 { return .public }
        return .reserved
    }

    // MARK: Parsing

    /// An IPv4 or IPv6 address spanning exactly `from..<to`.
    static func parse(_ b: Bytes, _ from: Int, _ to: Int) -> IPAddress? {
        guard to > from else { return nil }
        var k = from
        while k < to, b[k] != UInt8(ascii: ":") { k += 1 }
        if k < to { return parseV6(b, from, to).map { IPAddress(v6: $0.0, $0.1) } }
        return parseV4(b, from, to).map { IPAddress(v4: $0) }
    }

    /// Dotted decimal, exactly four octets, no leading zeros, each at most 255.
    static func parseV4(_ b: Bytes, _ from: Int, _ to: Int) -> UInt32? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, parts = 0
        var k = from
        while k <= to {
            if k == to || b[k] == UInt8(ascii: ".") {
                guard digits > 0 else { return nil }
                value = value << 8 | octet
                parts += 1
                octet = 0
                digits = 0
            } else {
                let d = b[k]
                guard ASCII.isDigit(d), digits < 3, !(digits == 1 && octet == 0) else { return nil }
                octet = octet * 10 + UInt32(d - 0x30)
                guard octet <= 255 else { return nil }
                digits += 1
            }
            k += 1
        }
        return parts == 4 ? value : nil
    }

    /// Full, `::`-compressed or with a trailing dotted IPv4; an optional `%zone` is ignored.
    static func parseV6(_ b: Bytes, _ from: Int, _ to: Int) -> (UInt64, UInt64)? {
        var end = from
        while end < to, b[end] != UInt8(ascii: "%") { end += 1 }
        if end < to, end + 1 == to { return nil } // a `%` with no zone after it
        guard end - from >= 2 else { return nil }
        var groups = SIMD8<UInt16>()
        var count = 0
        var gap = -1 // where `::` stands, in groups
        var k = from
        let colon = UInt8(ascii: ":")
        if b[k] == colon {
            guard b[k + 1] == colon else { return nil }
            gap = 0
            k += 2
        }
        while k < end {
            var value: UInt32 = 0
            var j = k
            while j < end, ASCII.isHex(b[j]), j - k < 5 {
                value = value << 4 | UInt32(hexValue(b[j]))
                j += 1
            }
            if j < end, b[j] == UInt8(ascii: ".") {
                // The last 32 bits written as IPv4.
                guard count <= 6, let v4 = parseV4(b, k, end) else { return nil }
                groups[count] = UInt16(v4 >> 16)
                groups[count + 1] = UInt16(v4 & 0xFFFF)
                count += 2
                k = end
                break
            }
            let n = j - k
            guard n >= 1, n <= 4, count < 8 else { return nil }
            groups[count] = UInt16(value)
            count += 1
            k = j
            if k == end { break }
            guard b[k] == colon, k + 1 < end else { return nil }
            k += 1
            if b[k] == colon {
                guard gap < 0 else { return nil }
                gap = count
                k += 1
            }
        }
        if gap < 0 {
            guard count == 8 else { return nil }
        } else {
            guard count <= 7 else { return nil }
            // Move the groups after `::` to the end.
            let tail = count - gap
            var full = SIMD8<UInt16>()
            for g in 0..<gap { full[g] = groups[g] }
            for g in 0..<tail { full[8 - tail + g] = groups[gap + g] }
            groups = full
        }
        var high: UInt64 = 0, low: UInt64 = 0
        for g in 0..<4 { high = high << 16 | UInt64(groups[g]) }
        for g in 4..<8 { low = low << 16 | UInt64(groups[g]) }
        return (high, low)
    }

    private static func hexValue(_ b: UInt8) -> UInt8 {
        ASCII.isDigit(b) ? b - 0x30 : (b | 0x20) - 0x61 + 10
    }

    // MARK: Text

    static func dotted(_ a: UInt32) -> String {
        "\(a >> 24).\(a >> 16 & 0xFF).\(a >> 8 & 0xFF).\(a & 0xFF)"
    }

    static func rfc5952(_ high: UInt64, _ low: UInt64) -> String {
        // IPv4-mapped and NAT64 addresses keep their IPv4 part dotted (RFC 5952 §5, RFC 6052).
        if high == 0 && low >> 32 == 0xFFFF { return "::ffff:" + dotted(UInt32(truncatingIfNeeded: low)) }
        if high == 0x0064_FF9B_0000_0000 && low >> 32 == 0 { return "64:ff9b::" + dotted(UInt32(truncatingIfNeeded: low)) }
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        for g in 0..<4 { groups.append(UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(g)))) }
        for g in 0..<4 { groups.append(UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(g)))) }
        // The longest run of two or more zero groups, the first one on a tie.
        var best = (start: -1, length: 1)
        var g = 0
        while g < 8 {
            guard groups[g] == 0 else { g += 1; continue }
            var e = g
            while e < 8, groups[e] == 0 { e += 1 }
            if e - g > best.length { best = (g, e - g) }
            g = e
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard best.start >= 0 else { return hex(0..<8) }
        return hex(0..<best.start) + "::" + hex((best.start + best.length)..<8)
    }
}
