import Foundation
import Testing
@testable import AlertEngine

/// A damaged gzip input keeps what inflated before the damage, the same whatever the size of
/// the reads (found by the format fuzzer: a large read used to drop the bytes it had inflated
/// when it met the damage).
@Suite struct GzipTests {
    static func gzip(_ text: String) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-n", "-c"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(data)
    }

    @Test(arguments: [0.3, 0.6, 0.9])
    func aCorruptGzipKeepsTheSameRecordsWhateverTheReadSize(at fraction: Double) throws {
        let lines = (0..<3000).map { #"{"n":\#($0),"msg":"event number \#($0) with some text to compress \#($0 * 7919 % 1000)"}"# }
        var bytes = try Self.gzip(lines.joined(separator: "\n") + "\n")
        let at = Int(Double(bytes.count) * fraction)
        bytes[at] ^= 0xFF
        bytes[at + 1] ^= 0x5A
        let whole = Framer.frame(bytes, name: "events.jsonl.gz")
        #expect(!whole.records.isEmpty, "nothing kept from before the damage")
        #expect(whole.rejected.contains { $0.reason.hasPrefix("gzip:") }, "the damage is not said: \(whole.rejected.map(\.reason))")
        for size in [257, 4096, 65_536] {
            let cut = Framer.frame(bytes, name: "events.jsonl.gz", blockSize: size)
            #expect(cut.records.map(\.raw) == whole.records.map(\.raw), "reads of \(size) bytes keep \(cut.records.count) records, 1 MiB reads \(whole.records.count)")
        }
    }
}
