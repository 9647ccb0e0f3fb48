import CZlib

/// gzip, read transparently: inputs are sniffed for the magic bytes, not trusted by name.
enum Gzip {
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    struct Failure: Error { var reason: String }

    /// Inflates every member of a gzip stream; a truncated or corrupt stream is an error (the
    /// caller quarantines the input whole rather than keep half of it silently).
    static func decompress(_ input: [UInt8]) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 4)
        var stream = z_stream()
        // 15 + 32: a zlib or gzip header, detected.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(reason: "gzip: cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset = 0
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { (inBuf: UnsafeBufferPointer<UInt8>) throws(Failure) in
            while true {
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + offset)
                stream.avail_in = UInt32(inBuf.count - offset)
                repeat {
                    status = chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        return inflate(&stream, Z_NO_FLUSH)
                    }
                    let produced = chunk.count - Int(stream.avail_out)
                    output.append(contentsOf: chunk[0..<produced])
                    if status != Z_OK && status != Z_STREAM_END {
                        if status == Z_BUF_ERROR { break }
                        let detail = stream.msg.map { String(cString: $0) } ?? String(cString: zError(status))
                        throw Failure(reason: "gzip: corrupt data (\(detail))")
                    }
                } while stream.avail_out == 0 && status != Z_STREAM_END
                offset = inBuf.count - Int(stream.avail_in)
                if status == Z_STREAM_END {
                    // Concatenated members (`cat a.gz b.gz`) are one stream to gzip(1); read them all.
                    if offset < inBuf.count, inBuf.count - offset >= 2, inBuf[offset] == 0x1F, inBuf[offset + 1] == 0x8B {
                        inflateReset(&stream)
                        continue
                    }
                    return
                }
                throw Failure(reason: "gzip: truncated after \(output.count) bytes of output")
            }
        }
        return output
    }
}
