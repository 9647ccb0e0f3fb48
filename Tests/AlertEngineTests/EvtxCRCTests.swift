import CZlib
import Testing
@testable import AlertEngine

/// The EVTX checksums (ISA-L's CRC-32) are zlib's CRC-32: the standard check value, and the
/// same answer as zlib on random bytes cut into pieces anywhere, empty pieces and all.
@Suite struct EvtxCRCTests {
    @Test func isTheStandardCRC32() {
        let check = Array("123456789".utf8)
        check.withUnsafeBytes { b in #expect(EvtxCRC.of(b[...]) == 0xCBF4_3926) }
        [UInt8]().withUnsafeBytes { b in #expect(EvtxCRC.of(b[...]) == 0) }
    }

    @Test func agreesWithZlibOnPieces() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let count = Int.random(in: 0...70_000, using: &rng)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let cut = Int.random(in: 0...count, using: &rng)
            let zlib = bytes.withUnsafeBufferPointer { b in
                UInt32(truncatingIfNeeded: crc32(0, b.baseAddress, UInt32(b.count)))
            }
            bytes.withUnsafeBytes { b in
                #expect(EvtxCRC.of(b[...]) == zlib)
                #expect(EvtxCRC.of(b[..<cut], b[cut...]) == zlib, "cut at \(cut) of \(count)")
            }
        }
    }
}
