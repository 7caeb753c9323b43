// File: fuzz target `idx`: IDX bytes, raw or gzip-compressed, through the IDX reader and the
// conversion of its elements to Double.

import FuzzSupport
import ImageIO

func fuzzIDX(_ bytes: [UInt8]) throws {
    let array = try IDX.decode(bytes)
    precondition(
        array.count * array.elementType.size == array.data.count,
        "IDX dimensions do not match the data")
    precondition(
        array.doubleValues().count == array.count, "IDX element count changed in conversion")
}

// The same two entry points in every fuzz target on purpose: libFuzzer and `@main` need them
// in the executable itself, so they cannot live in FuzzSupport.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.test(data, size, fuzzIDX)
}

@main enum IDXFuzzTarget {
    static func main() { FuzzEntry.main(name: "idx", callback: testOneInput, target: fuzzIDX) }
}
