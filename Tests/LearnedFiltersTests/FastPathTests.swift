// FastPathTests: the fast layers (direct, im2col + sgemm, vectorised loops) against the reference loops.

import ConvkitTestSupport
import Testing

@testable import LearnedFilters

@Suite struct FastPathTests {
    /// Runs forward and backward of `spec` with both implementations on the same data.
    private func compare(_ spec: String, inputShape: [Int], batch: Int = 3, tolerance: Float = 1e-5)
        throws
    {
        try expectFastMatchesReference(
            spec, inputShape: inputShape, batch: batch, tolerance: tolerance, seeds: (21, 22),
            checksShape: true)
    }

    /// Strided, dilated and odd-shaped convolutions, taken by both the single-channel and the
    /// lowered path.
    static let unusualConvolutions = [
        "conv2d:4:5x5:valid", "conv2d:3:3x2:s=2:same", "conv2d:5:3x3:d=2:same:relu",
        "conv2d:2:2x3:s=2x1:d=1x2:valid",
    ]

    @Test(arguments: ["conv2d:32:3x3:same:relu"] + unusualConvolutions)
    func singleChannelConvolution(_ spec: String) throws {
        try compare(spec, inputShape: [11, 9, 1])
    }

    /// Filter counts divisible by 8 take the fused multiply-add row kernels where the
    /// processor has them; each runs a second time on the portable loops.
    @Test(arguments: [
        "conv2d:32:3x3:same:relu", "conv2d:24:3x2:s=2:same", "conv2d:8:3x3:d=2:valid:relu",
        "conv2d:16:2x3:s=2x1:d=1x2:valid",
    ])
    func singleChannelConvolutionInGroupsOfEightFilters(_ spec: String) throws {
        try compare(spec, inputShape: [11, 9, 1])
        try AVX2Kernels.$allowed.withValue(false) { try compare(spec, inputShape: [11, 9, 1]) }
    }

    @Test(arguments: ["conv2d:64:3x3:same:relu"] + unusualConvolutions)
    func loweredConvolution(_ spec: String) throws {
        try compare(spec, inputShape: [10, 9, 6])
    }

    @Test(arguments: ["maxpool:2", "maxpool:3:s=2", "maxpool:2:same", "maxpool:3x2:s=1x2:same"])
    func maxPooling(_ spec: String) throws {
        try compare(spec, inputShape: [9, 7, 5])
    }

    /// The pooling kernels give the reference loops' maxima and gradients to the bit, with
    /// ties (inputs on a grid of quarters) going to the first maximum in window order.
    @Test(arguments: ["maxpool:2", "maxpool:3:s=2", "maxpool:2:same", "maxpool:3x2:s=1x2:same"])
    func maxPoolingEqualsTheReferenceToTheBit(_ spec: String) throws {
        try expectPoolingMatchesReferenceBits(spec, shape: [9, 8, 11])
    }

    /// Windows that tile the input go band by band through the pooling kernels that the fused
    /// one-channel pass uses: the C kernels with a multiple of 8 channels (and again on the
    /// portable loops), the portable loops with 8 lanes and a remainder otherwise.
    @Test(arguments: [
        ("maxpool:2", [8, 6, 11]), ("maxpool:2", [8, 6, 16]), ("maxpool:3", [6, 9, 8]),
        ("maxpool:2x3", [4, 9, 3]),
    ])
    func tiledMaxPoolingEqualsTheReferenceToTheBit(_ spec: String, _ shape: [Int]) throws {
        try expectPoolingMatchesReferenceBits(spec, shape: shape)
        try AVX2Kernels.$allowed.withValue(false) {
            try expectPoolingMatchesReferenceBits(spec, shape: shape)
        }
    }

    /// Forward and backward of the pooling `spec` on a batch of 3 `shape` inputs on a grid of
    /// quarters (so windows hold ties), fast against reference, to the bit.
    private func expectPoolingMatchesReferenceBits(_ spec: String, shape: [Int]) throws {
        let fast = try singleLayer(spec, inputShape: shape)
        let reference = try singleLayer(spec, inputShape: shape)
        let input = Tensor(
            shape: [3] + shape,
            values: randomValues(3 * shape.reduce(1, *), seed: 31).map { ($0 * 4).rounded() / 4 })
        let y = fast.forward(input, options: ForwardOptions(implementation: .fast))
        let yReference = reference.forward(
            input, options: ForwardOptions(implementation: .reference))
        #expect(y.values.map(\.bitPattern) == yReference.values.map(\.bitPattern))
        let dy = Tensor(shape: y.shape, values: randomValues(y.values.count, seed: 32))
        let dx = try #require(
            fast.backward(
                dy, options: ForwardOptions(implementation: .fast), needInputGradient: true))
        let dxReference = try #require(
            reference.backward(
                dy, options: ForwardOptions(implementation: .reference), needInputGradient: true))
        #expect(dx.values.map(\.bitPattern) == dxReference.values.map(\.bitPattern))
    }

    @Test(arguments: ["dense:7", "dense:5:relu"])
    func dense(_ spec: String) throws {
        try compare(spec, inputShape: [13])
    }

    @Test func reluLayer() throws {
        try compare("relu,flatten", inputShape: [4, 4, 2])
    }

    @Test func wholeNetworkGradients() throws {
        let arch = try LayerSpec.parse(LayerSpec.tutorial)
        let fast = try Model(architecture: arch, inputShape: [28, 28, 1], seed: 5)
        let reference = try Model(architecture: arch, inputShape: [28, 28, 1], seed: 5)
        let input = Tensor(
            shape: [2, 28, 28, 1], values: randomValues(2 * 784, seed: 23).map { abs($0) })
        let a = try fast.computeGradients(
            input, labels: [3, 7],
            options: ForwardOptions(training: true, implementation: .fast, seed: 4))
        let b = try reference.computeGradients(
            input, labels: [3, 7],
            options: ForwardOptions(training: true, implementation: .reference, seed: 4))
        #expect(abs(a.loss - b.loss) < 1e-5)
        for ((name, p), (_, q)) in zip(fast.namedParameters, reference.namedParameters) {
            #expect(relativeError(p.gradient, q.gradient) < 1e-4, "\(name)")
        }
    }
}
