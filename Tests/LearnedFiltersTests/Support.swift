// Support: fixture loading and comparison helpers for the learned-filters tests.

import ConvkitSupport
import Foundation
import LearnedFilters
import Testing

/// The PyTorch reference file written by scripts/make-cnn-fixtures.py.
func pytorchFixtures() throws -> [String: Any] {
    let url = try #require(
        Bundle.module.url(forResource: "Fixtures/pytorch-layers", withExtension: "json"))
    return try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
}

/// A number array from a fixture object.
func floats(_ object: [String: Any], _ key: String) throws -> [Float] {
    try #require(object[key] as? [Double], "fixture has no \(key)").map(Float.init)
}

/// A shape from a fixture object.
func ints(_ object: [String: Any], _ key: String) throws -> [Int] {
    try #require(object[key] as? [Int], "fixture has no \(key)")
}

/// Builds a one-layer model (plus a flatten so its output is flat) for per-layer tests.
func singleLayer(_ spec: String, inputShape: [Int], seed: UInt64 = 3) throws -> any Layer {
    var specs = try LayerSpec.parse(spec)
    if case .dense = specs[0] {} else { specs.append(.flatten) }
    return try Model(architecture: specs, inputShape: inputShape, seed: seed).layers[0]
}

/// Deterministic pseudo-random values in [-1, 1).
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in generator.nextUnitFloat() * 2 - 1 }
}
