// File: fuzz target `arch`: `--arch` text through LayerSpec.parse; what parses must print back
// to text that parses to the same layers, and models are built from it on a small input.

import FuzzSupport
import LearnedFilters

/// The per-sample input the models are built on: small, not square, two channels.
let inputShape = [9, 7, 2]

/// Layers with more filters or units, or larger kernel sides, than these are parsed but not
/// built, so the fuzzer explores shapes rather than filling large weight arrays.
let largestBuiltWidth = 64
let largestBuiltKernel = 16

func fuzzArch(_ bytes: [UInt8]) throws {
    let specs = try LayerSpec.parse(String(decoding: bytes, as: UTF8.self))
    let text = LayerSpec.text(specs)
    let again = FuzzEntry.mustNotThrow("parsing '\(text)'") { try LayerSpec.parse(text) }
    precondition(again == specs, "'\(text)' does not parse back to its layers")
    guard specs.allSatisfy(isSmall) else { return }
    let model = try Model(architecture: specs, inputShape: inputShape, seed: 1)
    precondition(
        model.layers.count == specs.count && model.classes > 0,
        "a built model lost layers or classes")
    _ = model.summary()
}

/// Whether a layer's sizes stay within ``largestBuiltWidth`` and ``largestBuiltKernel``.
func isSmall(_ spec: LayerSpec) -> Bool {
    switch spec {
    case .conv2d(let filters, let kernel, _, _, _, _):
        filters <= largestBuiltWidth && kernel.allSatisfy { $0 <= largestBuiltKernel }
    case .dense(let units, _): units <= largestBuiltWidth
    case .maxPool2d, .averagePool2d, .globalAveragePool2d, .batchNormalization, .dropout, .flatten,
        .relu, .softmax, .activation:
        true
    }
}

// The same two entry points in every fuzz target on purpose: libFuzzer and `@main` need them
// in the executable itself, so they cannot live in FuzzSupport.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.test(data, size, fuzzArch)
}

@main enum ArchFuzzTarget {
    static func main() { FuzzEntry.main(name: "arch", callback: testOneInput, target: fuzzArch) }
}
