// File: fuzz target `safetensors`: bytes through the safetensors reader, then through model
// loading (architecture and input shape from the metadata, weights checked against them).

import FuzzSupport
import LearnedFilters

func fuzzSafeTensors(_ bytes: [UInt8]) throws {
    let file = try SafeTensorsFile.decode(bytes, name: "fuzz.safetensors")
    let encoded = FuzzEntry.mustNotThrow("encoding a decoded safetensors file") {
        try file.encoded()
    }
    let again = FuzzEntry.mustNotThrow("decoding an encoded safetensors file") {
        try SafeTensorsFile.decode(encoded, name: "again").encoded()
    }
    precondition(again == encoded, "a safetensors file changed after an encode and a decode")
    let model = try Model.load(file: file, path: "fuzz.safetensors")
    _ = model.summary()
}

// The same two entry points in every fuzz target on purpose: libFuzzer and `@main` need them
// in the executable itself, so they cannot live in FuzzSupport.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.test(data, size, fuzzSafeTensors)
}

@main enum SafeTensorsFuzzTarget {
    static func main() {
        FuzzEntry.main(name: "safetensors", callback: testOneInput, target: fuzzSafeTensors)
    }
}
