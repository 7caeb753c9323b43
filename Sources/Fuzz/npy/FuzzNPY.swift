// File: fuzz target `npy`: .npy bytes through the exact and the widening readers; an array read
// exactly must encode to bytes that read back to the same encoding.

import FuzzSupport
import ImageIO

func fuzzNPY(_ bytes: [UInt8]) throws {
    if let widened = try? NPY.decodeWidened(bytes) {
        precondition(
            widened.values.count == widened.shape.reduce(1, *),
            "widened values do not fill the shape")
    }
    let array = try NPY.decode(bytes)
    let encoded = NPY.encode(array)
    let again = FuzzEntry.mustNotThrow("decoding an encoded .npy array") { try NPY.decode(encoded) }
    precondition(NPY.encode(again) == encoded, "an .npy array changed after an encode and a decode")
    _ = try? ImageFile.image(from: array, name: "fuzz.npy")
}

// The same two entry points in every fuzz target on purpose: libFuzzer and `@main` need them
// in the executable itself, so they cannot live in FuzzSupport.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.test(data, size, fuzzNPY)
}

@main enum NPYFuzzTarget {
    static func main() { FuzzEntry.main(name: "npy", callback: testOneInput, target: fuzzNPY) }
}
