import Model
import Testing
@testable import AlertEngine

@Suite struct IPAddressTests {
    /// Input -> canonical text.
    static let valid: [(String, String)] = [
        ("1.2.3.4", "1.2.3.4"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("185.220.101.4", "185.220.101.4"),
        ("10.0.0.1", "10.0.0.1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), // the first of two equal runs
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), // one zero group is not compressed
        ("2001:db8::", "2001:db8::"),
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("fe80::a00:27ff:fe4e:66a1%12", "fe80::a00:27ff:fe4e:66a1"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("::FFFF:10.1.2.3", "::ffff:10.1.2.3"),
        ("0:0:0:0:0:ffff:0102:0304", "::ffff:1.2.3.4"),
        ("64:ff9b::cb00:7105", "64:ff9b::203.0.113.5"),
        ("1::2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
        ("ff02::1", "ff02::1"),
    ]

    static let invalid: [String] = [
        "", "1.2.3", "1.2.3.4.5", "10.0.0.256", "010.1.1.1", "1.2.3.04", "1.2.3.-4", "1.2.3.4 ", " 1.2.3.4",
        "a.b.c.d", "1..2.3", "1.2.3.", ".1.2.3", "0x7f.0.0.1", "2024.11.29", "12.5.1", "v1.2.3.4",
        "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::2", "1:::2", "12345::1", "g::1", "fe80::1%",
        "::ffff:1.2.3.256", "1:2:3:4:5:6:7:1.2.3.4", "10:22:33", "00:1a:2b:3c:4d:5e", "localhost", "example.com",
    ]

    @Test(arguments: valid) func parsesAndCanonicalizes(_ input: String, _ canonical: String) throws {
        let ip = try #require(IPAddress(input))
        #expect(ip.text == canonical)
        // The canonical text parses back to itself.
        #expect(IPAddress(canonical)?.text == canonical)
    }

    @Test(arguments: invalid) func refuses(_ input: String) {
        #expect(IPAddress(input) == nil)
    }

    static let scopes: [(String, IPAddress.Scope)] = [
        ("8.8.8.8", .public), ("185.220.101.4", .public), ("1.1.1.1", .public), ("172.32.0.1", .public),
        ("100.128.0.1", .public), ("192.169.0.1", .public),
        ("10.1.2.3", .private), ("172.16.0.1", .private), ("172.31.255.255", .private), ("192.168.1.10", .private),
        ("100.64.0.1", .private), ("100.127.255.254", .private),
        ("169.254.10.20", .linkLocal),
        ("127.0.0.1", .loopback), ("127.8.9.10", .loopback),
        ("224.0.0.251", .multicast), ("239.255.255.250", .multicast),
        ("192.0.2.10", .reserved), ("198.51.100.7", .reserved), ("203.0.113.99", .reserved),
        ("198.18.0.1", .reserved), ("240.0.0.1", .reserved), ("255.255.255.255", .reserved), ("0.1.2.3", .reserved),
        ("0.0.0.0", .unspecified),
        ("2606:4700:4700::1111", .public), ("2a00:1450:4001:80b::200e", .public),
        ("fd12:3456:789a::1", .private), ("fc00::1", .private),
        ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
        ("::1", .loopback), ("::", .unspecified),
        ("ff02::fb", .multicast),
        ("2001:db8::1", .reserved), ("2001:db8:ffff::", .reserved), ("4000::1", .reserved), ("ab::cd", .reserved),
        ("::ffff:10.1.2.3", .private), ("::ffff:8.8.8.8", .public), ("::ffff:127.0.0.1", .loopback),
        ("64:ff9b::8.8.8.8", .public),
    ]

    @Test(arguments: scopes) func classifiesScope(_ input: String, _ scope: IPAddress.Scope) throws {
        let ip = try #require(IPAddress(input))
        #expect(ip.scope == scope)
        #expect(ip.isPublic == (scope == .public))
        #expect(ip.isPrivate == [.private, .linkLocal, .loopback].contains(scope))
    }

    @Test func knowsTheFamilyAndTheMappedAddress() throws {
        #expect(IPAddress("1.2.3.4")?.isIPv4 == true)
        #expect(IPAddress("::ffff:1.2.3.4")?.isIPv4 == false)
        #expect(IPAddress("::ffff:1.2.3.4")?.unmapped?.text == "1.2.3.4")
        #expect(IPAddress("2001:db8::1")?.unmapped == nil)
        #expect(IPAddress("2001:db8::1") == IPAddress("2001:0DB8:0:0:0:0:0:1"))
        #expect(IPAddress("1.2.3.4")?.description == "1.2.3.4")
    }

    @Test func tellsNetworksFromHosts() throws {
        let net = try #require(IPAddress("10.0.0.0"))
        #expect(net.isNetwork(prefix: 8))
        #expect(!net.isNetwork(prefix: 32))
        #expect(try #require(IPAddress("192.168.1.10")).isNetwork(prefix: 24) == false)
        #expect(try #require(IPAddress("2001:db8::")).isNetwork(prefix: 32))
        #expect(try #require(IPAddress("2001:db8::1")).isNetwork(prefix: 64) == false)
    }
}
