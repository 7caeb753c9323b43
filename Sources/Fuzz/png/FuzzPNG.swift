// File: fuzz target `png`: PNG bytes through the header reader and the decoder; a decoded image
// must survive an encode and a second decode unchanged.

import CZlibSystem
import FuzzSupport
import ImageIO

/// Images above this many pixels are refused before allocation, so the fuzzer spends its time
/// in the parser rather than in filling large buffers.
let pixelLimit = 1 << 16

func fuzzPNG(_ bytes: [UInt8]) throws {
    // A mutated chunk almost never keeps a valid CRC, and libpng rejects it before reading it;
    // decoding a copy with the CRCs recomputed lets mutations reach the chunk parsers too.
    let repaired = withRepairedChunkCRCs(bytes)
    if repaired != bytes { try? decodeAndRoundTrip(repaired) }
    try decodeAndRoundTrip(bytes)
}

func decodeAndRoundTrip(_ bytes: [UInt8]) throws {
    _ = try? PNGDecoder.header(bytes)
    let image = try PNGDecoder.decode(bytes, maxPixels: pixelLimit)
    let again = FuzzEntry.mustNotThrow("encoding and decoding a decoded PNG") {
        try PNGDecoder.decode(PNGEncoder.encode(image))
    }
    precondition(
        again.width == image.width && again.height == image.height
            && again.channels == image.channels
            && again.samples == image.samples, "a decoded PNG changed after an encode and a decode")
}

/// `bytes` with the CRC of every complete chunk after the 8-byte signature set to the CRC-32 of
/// its type and data.
func withRepairedChunkCRCs(_ bytes: [UInt8]) -> [UInt8] {
    var result = bytes
    var offset = 8
    while offset + 12 <= result.count {
        let length = result[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        let end = offset + 8 + length
        guard end + 4 <= result.count else { break }
        let crc =
            result[(offset + 4)..<end].withContiguousStorageIfAvailable { chunk in
                crc32(0, chunk.baseAddress, UInt32(chunk.count))
            } ?? 0
        for index in 0..<4 {
            result[end + index] = UInt8(truncatingIfNeeded: crc >> (8 * (3 - UInt(index))))
        }
        offset = end + 4
    }
    return result
}

// The same two entry points in every fuzz target on purpose: libFuzzer and `@main` need them
// in the executable itself, so they cannot live in FuzzSupport.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.test(data, size, fuzzPNG)
}

@main enum PNGFuzzTarget {
    static func main() { FuzzEntry.main(name: "png", callback: testOneInput, target: fuzzPNG) }
}
