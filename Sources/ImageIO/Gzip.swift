// Gzip: inflates gzip-compressed files (the .gz form in which datasets are shipped), via zlib.

import CZlibSystem

/// gzip decompression.
package enum Gzip {
    /// Whether `bytes` start with the gzip magic number.
    package static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates a gzip stream (members concatenated are all inflated). `name` is used in errors;
    /// `limit` caps the inflated size so a compression bomb fails instead of exhausting memory.
    package static func decompress(_ bytes: [UInt8], name: String, limit: Int = 1 << 32) throws
        -> [UInt8]
    {
        var stream = z_stream()
        guard
            inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                == Z_OK
        else {
            throw ImageIOError.corrupt(path: name, detail: "cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var consumed = 0
        while consumed < bytes.count {
            var status: Int32 = Z_OK
            repeat {
                let (used, produced, result): (Int, Int, Int32) = bytes.withUnsafeBufferPointer {
                    input in
                    chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_in = UnsafeMutablePointer(
                            mutating: input.baseAddress! + consumed)
                        stream.avail_in = UInt32(min(bytes.count - consumed, Int(UInt32.max)))
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        let before = Int(stream.avail_in)
                        let result = inflate(&stream, Z_NO_FLUSH)
                        return (
                            before - Int(stream.avail_in), out.count - Int(stream.avail_out), result
                        )
                    }
                }
                consumed += used
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= limit else {
                    throw ImageIOError.tooLarge(
                        path: name, detail: "inflates to more than \(limit) bytes")
                }
                status = result
                if status == Z_BUF_ERROR && consumed >= bytes.count {
                    throw ImageIOError.truncated(path: name, detail: "gzip stream ends early")
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw ImageIOError.corrupt(path: name, detail: "bad gzip data")
                }
            } while status != Z_STREAM_END && consumed < bytes.count
            if status != Z_STREAM_END {
                throw ImageIOError.truncated(path: name, detail: "gzip stream ends early")
            }
            // Another gzip member may follow; trailing zero padding is ignored.
            if consumed < bytes.count, bytes[consumed...].allSatisfy({ $0 == 0 }) { break }
            if consumed < bytes.count { inflateReset(&stream) }
        }
        return output
    }
}
