// Support: fixture loading and comparison helpers for the learned-filters tests.

import ConvkitSupport
import ConvkitTestSupport
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
    // A flatten last gives flat outputs, and keeps a dense layer with a softmax activation,
    // which a model refuses as its last layer, from being last.
    let specs = try LayerSpec.parse(spec) + [.flatten]
    return try Model(architecture: specs, inputShape: inputShape, seed: seed).layers[0]
}

/// Deterministic pseudo-random values in [-1, 1).
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in generator.nextUnitFloat() * 2 - 1 }
}

/// Runs forward and backward of the one-layer model `spec` with the fast and the reference
/// implementation on the same random data (`seeds`: input, output gradient) and compares the
/// outputs (and their shapes when `checksShape`), the input gradients and every parameter's
/// gradient.
func expectFastMatchesReference(
    _ spec: String, inputShape: [Int], batch: Int, tolerance: Float, seeds: (UInt64, UInt64),
    checksShape: Bool
) throws {
    let fast = try singleLayer(spec, inputShape: inputShape)
    let reference = try singleLayer(spec, inputShape: inputShape)
    let input = Tensor(
        shape: [batch] + inputShape,
        values: randomValues(batch * inputShape.reduce(1, *), seed: seeds.0))
    let yFast = fast.forward(input, options: ForwardOptions(implementation: .fast))
    let yReference = reference.forward(input, options: ForwardOptions(implementation: .reference))
    if checksShape { #expect(yFast.shape == yReference.shape, "\(spec)") }
    #expect(relativeError(yFast.values, yReference.values) < tolerance, "\(spec) forward")
    let dy = Tensor(shape: yFast.shape, values: randomValues(yFast.values.count, seed: seeds.1))
    let dxFast = fast.backward(
        dy, options: ForwardOptions(implementation: .fast), needInputGradient: true)
    let dxReference = reference.backward(
        dy, options: ForwardOptions(implementation: .reference), needInputGradient: true)
    #expect(
        relativeError(try #require(dxFast).values, try #require(dxReference).values) < tolerance,
        "\(spec) input gradient")
    for (a, b) in zip(fast.parameters, reference.parameters) {
        #expect(relativeError(a.gradient, b.gradient) < tolerance, "\(spec) \(a.name) gradient")
    }
}
