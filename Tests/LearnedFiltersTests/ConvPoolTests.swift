// ConvPoolTests: a convolution fused with its max pooling against the two fast layers run one after the other.

import Testing

@testable import LearnedFilters

@Suite struct ConvPoolTests {
    /// A convolution and a pooling on an input shape.
    struct Case: CustomTestStringConvertible, Sendable {
        let conv: String, pool: String, inputShape: [Int]
        var testDescription: String { "\(conv) \(pool) on \(inputShape)" }
    }

    /// Pairs that fuse: one input channel (direct passes) under pools whose windows tile the
    /// output, and Winograd layers under 2x2 pools; filter and channel counts that leave
    /// partial SIMD groups; with and without ReLU.
    static let fusing: [Case] = [
        Case(conv: "conv2d:32:3x3:same:relu", pool: "maxpool:2", inputShape: [28, 28, 1]),
        Case(conv: "conv2d:5:3x3:valid", pool: "maxpool:3", inputShape: [11, 14, 1]),
        Case(conv: "conv2d:12:2x3:s=2:same:relu", pool: "maxpool:2", inputShape: [8, 8, 1]),
        Case(conv: "conv2d:64:3x3:same:relu", pool: "maxpool:2", inputShape: [14, 14, 32]),
        Case(conv: "conv2d:10:3x3:same", pool: "maxpool:2", inputShape: [6, 8, 9]),
        Case(conv: "conv2d:8:3x3:valid:relu", pool: "maxpool:2", inputShape: [10, 6, 8]),
    ]

    /// Pairs that stay separate: overlapping windows, windows that leave a row out, a 3x3 pool
    /// over Winograd's 2x2 tiles, and a convolution on the im2col path.
    static let separate: [Case] = [
        Case(conv: "conv2d:8:3x3:same:relu", pool: "maxpool:2:s=1", inputShape: [9, 9, 1]),
        Case(conv: "conv2d:8:3x3:same:relu", pool: "maxpool:2", inputShape: [7, 7, 8]),
        Case(conv: "conv2d:8:3x3:same:relu", pool: "maxpool:3", inputShape: [12, 12, 8]),
        Case(conv: "conv2d:8:5x5:same:relu", pool: "maxpool:2", inputShape: [8, 8, 6]),
    ]

    /// The convolution and pooling layers of a model built from `c` (plus a flatten).
    private func layers(_ c: Case) throws -> (Conv2D, MaxPool2D) {
        let model = try Model(
            architecture: try LayerSpec.parse("\(c.conv),\(c.pool),flatten"),
            inputShape: c.inputShape, seed: 9)
        return (
            try #require(model.layers[0] as? Conv2D), try #require(model.layers[1] as? MaxPool2D)
        )
    }

    @Test(arguments: fusing)
    func fusedPairEqualsTheLayersToTheBit(_ c: Case) throws {
        let (conv, pool) = try layers(c)
        let (fusedConv, fusedPool) = try layers(c)
        let pair = try #require(ConvPool(fusedConv, fusedPool))
        let batch = 3
        let input = Tensor(
            shape: [batch] + c.inputShape,
            values: randomValues(batch * c.inputShape.reduce(1, *), seed: 51))
        let options = ForwardOptions(training: true, implementation: .fast)

        let pooled = pool.forward(conv.forward(input, options: options), options: options)
        let fusedPooled = pair.forward(input)
        #expect(fusedPooled == pooled)

        let gradient = Tensor(
            shape: pooled.shape, values: randomValues(pooled.values.count, seed: 52))
        let convGradient = try #require(
            pool.backward(gradient, options: options, needInputGradient: true))
        let inputGradient = conv.backward(convGradient, options: options, needInputGradient: true)
        let fusedInputGradient = pair.backward(gradient, needInputGradient: true)
        #expect(fusedInputGradient == inputGradient)
        #expect(fusedConv.kernel.gradient == conv.kernel.gradient)
        #expect(fusedConv.bias.gradient == conv.bias.gradient)
        // The gradients are not all zero: the comparison above would also pass if both were.
        #expect(conv.kernel.gradient.contains { $0 != 0 })
    }

    @Test(arguments: separate)
    func pairsThatDoNotTileStaySeparate(_ c: Case) throws {
        let (conv, pool) = try layers(c)
        #expect(ConvPool(conv, pool) == nil)
    }
}
