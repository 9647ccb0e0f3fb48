import Foundation
import Testing
@testable import SignalServer

/// `|cidr`'s networks: an IPv4 value is read from its bytes in place (`Network.ipv4`), and must
/// read exactly what `inet_pton` reads, which decides every other value.
@Suite struct NetworkTests {
    /// `inet_pton`'s reading of an IPv4 text, as `Network.bytes` gives it.
    private func inetPton(_ text: String) -> UInt32? {
        guard let b = Network.bytes(text.trimmed), b.count == 4 else { return nil }
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    private func ipv4(_ text: String) -> UInt32? {
        Array(text.utf8).withUnsafeBufferPointer(Network.ipv4)
    }

    @Test func readsIPv4AsInetPtonDoes() {
        let texts = [
            "10.1.2.3", " 10.1.2.3\t", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4",
            "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", "1.2.3.4x", "", " ", "::1", "::ffff:10.0.0.1",
            "1000.1.1.1", "1.2.3.-4", "1,2.3.4", "10.0.0.0/8", "1.2.3.4\n", "-", "0.0.0.00", "192.168.010.1",
        ]
        for text in texts {
            #expect(ipv4(text) == inetPton(text), "\(text.debugDescription)")
        }
        // Random texts of digits and dots, most of them near an address; seeded, so a failure
        // comes back.
        var rng = Seeded(state: 41)
        let alphabet = Array("0123456789....12 ")
        var agreedOnAddresses = 0
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...16, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let read = ipv4(text)
            #expect(read == inetPton(text), "\(text.debugDescription)")
            if read != nil { agreedOnAddresses += 1 }
        }
        #expect(agreedOnAddresses > 0)
    }

    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state ^ state >> 29
        }
    }

    @Test func containsAsBeforeForEveryPrefix() throws {
        let net = try #require(Network("192.168.0.0/16"))
        #expect(net.contains("192.168.4.5"))
        #expect(net.contains(" 192.168.255.255 "))
        #expect(!net.contains("192.169.0.1"))
        #expect(!net.contains("::ffff:192.168.0.1"))  // an IPv6 text is no IPv4 address
        #expect(!net.contains("not an address"))
        #expect(try #require(Network("0.0.0.0/0")).contains("8.8.8.8"))
        #expect(try #require(Network("8.8.8.8/32")).contains("8.8.8.8"))
        #expect(!(try #require(Network("8.8.8.8/32")).contains("8.8.8.9")))
        #expect(try #require(Network("2001:db8::/32")).contains("2001:db8::1"))
        #expect(!(try #require(Network("2001:db8::/32")).contains("10.0.0.1")))
        // Every prefix length against the general path.
        for prefix in 0...32 {
            let network = try #require(Network("172.16.77.200/\(prefix)"))
            for ip in ["172.16.77.200", "172.16.77.201", "172.16.76.1", "172.17.0.0", "173.0.0.0", "44.1.2.3", "172.16.77.255"] {
                let bytes = try #require(Network.bytes(ip))
                var left = prefix, expected = true
                for (a, b) in zip(network.address, bytes) where left > 0 {
                    let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
                    if a & mask != b & mask { expected = false }
                    left -= 8
                }
                #expect(network.contains(ip) == expected, "\(ip) in /\(prefix)")
            }
        }
    }
}
