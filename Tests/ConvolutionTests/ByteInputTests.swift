// ByteInputTests: 8-bit channels convolved from their samples (rows widened band by band) give
// exactly the float plane's result on every path, and the reference's within tolerance.

import ConvkitSupport
import ConvkitTestSupport
import Convolution
import ImageIO
import Testing

@Suite struct ByteInputTests {
    /// An interleaved 8-bit image of seeded random samples.
    static func image(rows: Int, columns: Int, channels: Int, seed: UInt64) throws -> Image {
        var generator = SeededGenerator(seed: seed)
        let samples = (0..<rows * columns * channels).map { _ in
            UInt8(generator.nextUnitFloat() * 256)
        }
        return try Image(width: columns, height: rows, channels: channels, samples: .uint8(samples))
    }

    @Test(arguments: FastPathTests.scenarios)
    func bytesMatchTheFloatPlaneOnEveryPath(_ scenario: FastPathTests.Scenario) throws {
        let seed = UInt64(scenario.rows * 7 + scenario.kernelColumns)
        let image = try Self.image(
            rows: scenario.rows, columns: scenario.columns, channels: 3, seed: seed)
        let kernel = try scenario.kernel(seed: seed + 1)
        let channel = 1
        let plane = ImagePlanes.split(image)[channel]
        let double = try Plane<Double>(
            rows: plane.rows, columns: plane.columns, values: plane.values.map(Double.init))
        let reference = try ReferenceConvolution.apply(
            kernel, to: double, options: scenario.options)
        let range = (reference.values.max() ?? 0) - (reference.values.min() ?? 0)
        var paths: [ConvolutionPath?] = [nil, .direct, .fft]
        if scenario.rankOne { paths.append(.separable) }
        for fused in [true, false] {
            for path in paths {
                for threads in [1, 3] {
                    var options = scenario.options
                    options.path = path
                    options.threads = threads
                    let plan = try ConvolutionPlan(
                        kernel: kernel, inputRows: image.height, inputColumns: image.width,
                        options: options)
                    let (fromBytes, fromFloats) = try FusedSums.$allowed.withValue(fused) {
                        (
                            try Convolution.apply(plan, channel: channel, of: image),
                            try Convolution.apply(plan, to: plane)
                        )
                    }
                    let label =
                        "\(path?.rawValue ?? "planned") on \(threads) threads (fused \(fused))"
                    #expect(fromBytes == fromFloats, "\(label): differs from the float plane")
                    let difference = maxDifference(
                        fromBytes.values.map(Double.init), reference.values)
                    #expect(difference <= 1e-5 * range, "\(label): off by \(difference)")
                }
            }
        }
    }

    /// 8-bit input skips a kernel's zero taps on the direct path (Scharr-x: 6 of 9) where the
    /// float plane sums all nine: the same bits, on both sum loops and boundary rules.
    @Test func zeroTapsLeftOutGiveTheFloatPlanesBits() throws {
        let image = try Self.image(rows: 37, columns: 101, channels: 2, seed: 77)
        let plane = ImagePlanes.split(image)[0]
        let kernel = try Kernel(
            name: "scharr-like", rows: 3, columns: 3, weights: [-3, 0, 3, -10, 0, 10, -3, 0, 3.5])
        for boundary: BoundaryRule in [.fill(0), .fill(-2.5), .reflect101, .wrap] {
            for fused in [true, false] {
                let plan = try ConvolutionPlan(
                    kernel: kernel, inputRows: image.height, inputColumns: image.width,
                    options: ConvolutionOptions(mode: .same, boundary: boundary, threads: 2))
                #expect(plan.path == .direct)
                let (fromBytes, fromFloats) = try FusedSums.$allowed.withValue(fused) {
                    (
                        try Convolution.apply(plan, channel: 0, of: image),
                        try Convolution.apply(plan, to: plane)
                    )
                }
                #expect(fromBytes == fromFloats, "\(boundary), fused \(fused)")
            }
        }
    }

    @Test func aPlanForAnotherSizeOrAMissingChannelThrows() throws {
        let image = try Self.image(rows: 20, columns: 30, channels: 2, seed: 5)
        let kernel = try TestData.kernel(rows: 3, columns: 3, seed: 6)
        let plan = try ConvolutionPlan(
            kernel: kernel, inputRows: 20, inputColumns: 30, options: ConvolutionOptions())
        #expect(throws: ConvolutionError.self) {
            try Convolution.apply(plan, channel: 2, of: image)
        }
        let other = try ConvolutionPlan(
            kernel: kernel, inputRows: 30, inputColumns: 20, options: ConvolutionOptions())
        #expect(throws: ConvolutionError.self) {
            try Convolution.apply(other, channel: 0, of: image)
        }
    }
}
