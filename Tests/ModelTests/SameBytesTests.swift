import Foundation
import Testing
@testable import Model

/// `sameBytes` answers as `memcmp` does, for every length around its word boundaries and a
/// difference at every position, reading only the bytes it is given.
@Suite struct SameBytesTests {
    @Test func answersAsMemcmpAtEveryLengthAndPosition() {
        var rng = Seeded(state: 7)  // seeded: a failure comes back
        var compared = 0, different = 0
        for n in 0...48 {
            // Exactly `n` bytes each, so a read past them would be a read past the allocation.
            let a = UnsafeMutableRawPointer.allocate(byteCount: max(n, 1), alignment: 1)
            let b = UnsafeMutableRawPointer.allocate(byteCount: max(n, 1), alignment: 1)
            defer { a.deallocate(); b.deallocate() }
            for i in 0..<n { a.storeBytes(of: UInt8.random(in: 0...255, using: &rng), toByteOffset: i, as: UInt8.self) }
            b.copyMemory(from: a, byteCount: n)
            #expect(sameBytes(a, b, count: n), "equal, \(n) bytes")
            compared += 1
            for at in 0..<n {
                let was = b.load(fromByteOffset: at, as: UInt8.self)
                b.storeBytes(of: was ^ UInt8(1 << (at % 8)), toByteOffset: at, as: UInt8.self)
                #expect(!sameBytes(a, b, count: n), "\(n) bytes differing at \(at)")
                #expect(sameBytes(a, b, count: n) == (memcmp(a, b, n) == 0))
                b.storeBytes(of: was, toByteOffset: at, as: UInt8.self)
                different += 1
            }
        }
        #expect(compared == 49 && different == 48 * 49 / 2)
    }

    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state ^ state >> 29
        }
    }
}
