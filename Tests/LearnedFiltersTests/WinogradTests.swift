// WinogradTests: the Winograd F(2x2, 3x3) convolution against the plain reference loops.

import ConvkitTestSupport
import Testing

@testable import LearnedFilters

@Suite struct WinogradTests {
    /// One convolution to check: input size, channels, filters, padding, batch and activation.
    struct Case: CustomTestStringConvertible, Sendable {
        let height: Int, width: Int, channels: Int, filters: Int
        let padding: KerasPadding, batch: Int, relu: Bool
        var geometry: ConvGeometry {
            ConvGeometry(
                inputHeight: height, inputWidth: width, inputChannels: channels, kernelHeight: 3,
                kernelWidth: 3, padding: padding)
        }
        var testDescription: String {
            "\(batch)x\(height)x\(width)x\(channels)->\(filters) \(padding)\(relu ? " relu" : "")"
        }
    }

    static let cases: [Case] = [
        Case(
            height: 14, width: 14, channels: 32, filters: 64, padding: .same, batch: 3, relu: true),
        Case(
            height: 14, width: 14, channels: 32, filters: 64, padding: .same, batch: 1, relu: false),
        Case(height: 7, width: 5, channels: 3, filters: 4, padding: .same, batch: 3, relu: true),
        Case(height: 7, width: 5, channels: 3, filters: 4, padding: .same, batch: 1, relu: false),
        Case(height: 7, width: 5, channels: 3, filters: 4, padding: .valid, batch: 3, relu: false),
        Case(height: 7, width: 5, channels: 3, filters: 4, padding: .valid, batch: 1, relu: true),
        Case(height: 9, width: 8, channels: 1, filters: 5, padding: .same, batch: 3, relu: true),
        Case(height: 6, width: 6, channels: 1, filters: 2, padding: .valid, batch: 1, relu: false),
        Case(height: 8, width: 11, channels: 9, filters: 11, padding: .same, batch: 3, relu: true),
        Case(height: 3, width: 4, channels: 2, filters: 3, padding: .valid, batch: 3, relu: false),
        Case(height: 1, width: 2, channels: 4, filters: 9, padding: .same, batch: 1, relu: false),
    ]

    // Tolerance. F(2x2, 3x3) adds, subtracts and halves input, kernel and gradient values before
    // the products and recombines the products after them, so it rounds differently from the
    // direct sum. Against a float64 reference, with values in [-1, 1), its largest error on
    // these and larger layers (up to 28x28x64->64) measured 7e-7 of the largest magnitude, as
    // im2col + sgemm's did (6e-7). 1e-5 leaves a wide margin, while a wrong transform
    // coefficient or a missed edge cell moves values by 1e-2 or more.
    static let tolerance: Float = 1e-5

    @Test(arguments: cases)
    func forwardMatchesReference(_ c: Case) {
        let g = c.geometry
        let x = randomValues(c.batch * g.inputSize, seed: 31)
        let w = randomValues(9 * c.channels * c.filters, seed: 32)
        let b = randomValues(c.filters, seed: 33)
        var y = [Float](repeating: .nan, count: c.batch * g.outputPixels * c.filters)
        ConvWinograd.forward(
            input: x, kernel: w, bias: b, output: &y, batch: c.batch, geometry: g,
            filters: c.filters, relu: c.relu)
        var expected = ReferenceOps.convForward(
            input: x.map(Double.init), kernel: w.map(Double.init), bias: b.map(Double.init),
            batch: c.batch, geometry: g, filters: c.filters)
        if c.relu { expected = ReferenceOps.relu(expected) }
        #expect(relativeError(y, expected.map(Float.init)) < Self.tolerance)
    }

    /// Random input, kernel and output gradient for case `c`, from seeds `seed` to `seed + 2`.
    private func randomData(_ c: Case, seed: UInt64) -> (x: [Float], w: [Float], dy: [Float]) {
        let g = c.geometry
        return (
            randomValues(c.batch * g.inputSize, seed: seed),
            randomValues(9 * c.channels * c.filters, seed: seed + 1),
            randomValues(c.batch * g.outputPixels * c.filters, seed: seed + 2)
        )
    }

    /// Runs ConvWinograd's backward pass of case `c` into `dw`, `db` and `dx`, and returns the
    /// reference loops' gradients for the output gradient `referenceGradient` (`dy` through the
    /// ReLU mask) in Double.
    private func backward(
        _ c: Case, x: [Float], w: [Float], dy: [Float], mask: [Float]?,
        referenceGradient: [Float], dw: inout [Float], db: inout [Float], dx: inout [Float]?
    ) -> (input: [Double], kernel: [Double], bias: [Double]) {
        ConvWinograd.backward(
            input: x, kernel: w, outputGradient: dy, reluOutput: mask, kernelGradient: &dw,
            biasGradient: &db, inputGradient: &dx, batch: c.batch, geometry: c.geometry,
            filters: c.filters)
        return ReferenceOps.convBackward(
            input: x.map(Double.init), kernel: w.map(Double.init),
            outputGradient: referenceGradient.map(Double.init), batch: c.batch,
            geometry: c.geometry, filters: c.filters)
    }

    @Test(arguments: cases)
    func backwardMatchesReference(_ c: Case) throws {
        let (x, w, dy) = randomData(c, seed: 41)
        // With ReLU, the mask is a given output with about half its values zero.
        let mask = c.relu ? randomValues(dy.count, seed: 44).map { max($0, 0) } : nil
        let masked = mask.map { ReferenceOps.reluBackward(output: $0, outputGradient: dy) } ?? dy
        // Gradients are added to what the buffers hold.
        let heldKernel = randomValues(w.count, seed: 45)
        let heldBias = randomValues(c.filters, seed: 46)
        var dw = heldKernel
        var db = heldBias
        var dx: [Float]? = [Float](repeating: 0, count: x.count)
        let expected = backward(
            c, x: x, w: w, dy: dy, mask: mask, referenceGradient: masked, dw: &dw, db: &db, dx: &dx)
        #expect(
            relativeError(try #require(dx), expected.input.map(Float.init)) < Self.tolerance,
            "input gradient")
        #expect(
            relativeError(dw, zip(heldKernel, expected.kernel).map { $0 + Float($1) })
                < Self.tolerance, "kernel gradient")
        #expect(
            relativeError(db, zip(heldBias, expected.bias).map { $0 + Float($1) }) < Self.tolerance,
            "bias gradient")
    }

    /// The tile transforms only add, subtract and halve, in the same order in ``AVX2Kernels``
    /// and in the portable loops, so the two give the same bits, forward and backward.
    @Test func avx2AndPortableTransformsGiveTheSameBits() {
        let c = Self.cases[0]
        let (x, w, dy) = randomData(c, seed: 61)
        let b = randomValues(c.filters, seed: 64)
        let mask = randomValues(dy.count, seed: 65).map { max($0, 0) }
        func run() -> [[UInt32]] {
            var y = [Float](repeating: 0, count: dy.count)
            ConvWinograd.forward(
                input: x, kernel: w, bias: b, output: &y, batch: c.batch, geometry: c.geometry,
                filters: c.filters, relu: true)
            var dw = [Float](repeating: 0, count: w.count)
            var db = [Float](repeating: 0, count: c.filters)
            var dx: [Float]? = [Float](repeating: 0, count: x.count)
            ConvWinograd.backward(
                input: x, kernel: w, outputGradient: dy, reluOutput: mask, kernelGradient: &dw,
                biasGradient: &db, inputGradient: &dx, batch: c.batch, geometry: c.geometry,
                filters: c.filters)
            return [y, dw, db, dx ?? []].map { $0.map(\.bitPattern) }
        }
        let fast = run()
        let portable = AVX2Kernels.$allowed.withValue(false) { run() }
        #expect(fast == portable)
    }

    @Test func kernelGradientWithoutInputGradient() {
        let c = Self.cases[2]
        let (x, w, dy) = randomData(c, seed: 51)
        var dw = [Float](repeating: 0, count: w.count)
        var db = [Float](repeating: 0, count: c.filters)
        var dx: [Float]? = nil
        let expected = backward(
            c, x: x, w: w, dy: dy, mask: nil, referenceGradient: dy, dw: &dw, db: &db, dx: &dx)
        #expect(dx == nil)
        #expect(relativeError(dw, expected.kernel.map(Float.init)) < Self.tolerance)
        #expect(relativeError(db, expected.bias.map(Float.init)) < Self.tolerance)
    }

    @Test func repeatsExactly() {
        let c = Self.cases[0]
        let g = c.geometry
        let (x, w, dy) = randomData(c, seed: 61)
        func gradients() -> [Float] {
            var dw = [Float](repeating: 0, count: w.count)
            var db = [Float](repeating: 0, count: c.filters)
            var dx: [Float]? = [Float](repeating: 0, count: x.count)
            ConvWinograd.backward(
                input: x, kernel: w, outputGradient: dy, reluOutput: nil, kernelGradient: &dw,
                biasGradient: &db,
                inputGradient: &dx, batch: c.batch, geometry: g, filters: c.filters)
            return dw + db + (dx ?? [])
        }
        #expect(gradients() == gradients())
    }

    /// Conv2D layers whose fast path is Winograd (3x3, stride 1, at least 8 channels and
    /// filters), fast against reference through the layer, ReLU mask included.
    @Test(arguments: [("conv2d:16:3x3:same:relu", [7, 6, 8]), ("conv2d:9:3x3:valid", [5, 7, 10])])
    func layerMatchesReference(_ spec: String, _ inputShape: [Int]) throws {
        try expectFastMatchesReference(
            spec, inputShape: inputShape, batch: 3, tolerance: Self.tolerance, seeds: (71, 72),
            checksShape: false)
    }

    @Test func supportsOnlyUnitStrideThreeByThree() {
        func geometry(
            _ kh: Int, _ kw: Int, stride: Int = 1, dilation: Int = 1, padding: KerasPadding = .same
        ) -> ConvGeometry {
            ConvGeometry(
                inputHeight: 9, inputWidth: 9, inputChannels: 4, kernelHeight: kh, kernelWidth: kw,
                strideY: stride, strideX: stride, dilationY: dilation, dilationX: dilation,
                padding: padding)
        }
        #expect(ConvWinograd.supports(geometry(3, 3)))
        #expect(ConvWinograd.supports(geometry(3, 3, padding: .valid)))
        #expect(!ConvWinograd.supports(geometry(3, 2)))
        #expect(!ConvWinograd.supports(geometry(5, 5)))
        #expect(!ConvWinograd.supports(geometry(3, 3, stride: 2)))
        #expect(!ConvWinograd.supports(geometry(3, 3, dilation: 2)))
    }
}
