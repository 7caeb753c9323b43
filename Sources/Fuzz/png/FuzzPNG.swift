// File: fuzz target `png`: PNG bytes through the header reader and the decoder; a decoded image
// must survive an encode and a second decode unchanged.

import FuzzSupport
import ImageIO

/// Images above this many pixels are refused before allocation, so the fuzzer spends its time
/// in the parser rather than in filling large buffers.
let pixelLimit = 1 << 16

func fuzzPNG(_ bytes: [UInt8]) throws {
    _ = try? PNGDecoder.header(bytes)
    let image = try PNGDecoder.decode(bytes, maxPixels: pixelLimit)
    let again = FuzzEntry.mustNotThrow("encoding and decoding a decoded PNG") { try PNGDecoder.decode(PNGEncoder.encode(image)) }
    precondition(again.width == image.width && again.height == image.height && again.channels == image.channels
                 && again.samples == image.samples, "a decoded PNG changed after an encode and a decode")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.test(data, size, fuzzPNG)
}

@main enum PNGFuzzTarget {
    static func main() { FuzzEntry.main(name: "png", callback: testOneInput, target: fuzzPNG) }
}
