// FastPathTests: direct SIMD (fused AVX2 and portable), separable, FFT and threaded runs held to
// the reference and to scipy.

import ConvkitTestSupport
import Convolution
import Testing

@Suite struct FastPathTests {
    /// Every fixture on every path that can compute it, on one thread and on three.
    @Test(arguments: Fixtures.all)
    func everyPathMatchesScipyAndTorch(_ fixture: ConvolutionFixture) throws {
        let kernel = try fixture.makeKernel()
        let input = try TestData.float(fixture.inputPlane())
        var paths: [ConvolutionPath?] = [nil, .direct, .fft]
        if kernel.rows > 1, kernel.columns > 1, kernel.separableFactors() != nil {
            paths.append(.separable)
        }
        for fused in [true, false] {
            for path in paths {
                for threads in [1, 3] {
                    let result = try FusedSums.$allowed.withValue(fused) {
                        try Convolution.apply(
                            kernel, to: input,
                            options: fixture.options(path: path, threads: threads))
                    }
                    #expect(
                        result.rows == fixture.expected.rows
                            && result.columns == fixture.expected.columns)
                    let difference = maxDifference(
                        result.values.map(Double.init), fixture.expected.values)
                    #expect(
                        difference <= fixture.tolerance,
                        "\(path?.rawValue ?? "planned") on \(threads) threads (fused \(fused)): off by \(difference)"
                    )
                }
            }
        }
    }

    struct Scenario: CustomTestStringConvertible, Sendable {
        let rows: Int, columns: Int, kernelRows: Int, kernelColumns: Int
        let rankOne: Bool
        let options: ConvolutionOptions
        var testDescription: String {
            "\(kernelRows)x\(kernelColumns)\(rankOne ? " rank-1" : "") on \(rows)x\(columns), \(options.operation) \(options.mode) "
                + "\(options.boundary) stride \(options.stride.rows)x\(options.stride.columns) dilation \(options.dilation.rows)x\(options.dilation.columns)"
        }

        /// The scenario's seeded kernel: rank one when `rankOne`, otherwise a full random one.
        func kernel(seed: UInt64) throws -> Kernel {
            rankOne
                ? try TestData.rankOneKernel(rows: kernelRows, columns: kernelColumns, seed: seed)
                : try TestData.kernel(rows: kernelRows, columns: kernelColumns, seed: seed)
        }
    }

    /// Odd sizes that leave SIMD tails, several bands and several FFT tiles, with every boundary.
    static let scenarios: [Scenario] = {
        let boundaries: [BoundaryRule] = [
            .fill(0), .fill(-3.5), .wrap, .symm, .reflect101, .nearest,
        ]
        var list = [Scenario]()
        for (index, boundary) in boundaries.enumerated() {
            let operation: ConvolutionOperation = index % 2 == 0 ? .convolve : .correlate
            list.append(
                Scenario(
                    rows: 67, columns: 150, kernelRows: 3, kernelColumns: 3, rankOne: false,
                    options: ConvolutionOptions(
                        operation: operation, mode: .same, boundary: boundary)))
            list.append(
                Scenario(
                    rows: 131, columns: 77, kernelRows: 6, kernelColumns: 5, rankOne: true,
                    options: ConvolutionOptions(
                        operation: operation, mode: .full, boundary: boundary)))
            list.append(
                Scenario(
                    rows: 150, columns: 139, kernelRows: 5, kernelColumns: 4, rankOne: false,
                    options: ConvolutionOptions(
                        operation: operation, mode: .valid, boundary: boundary,
                        padding: Padding(top: 2, bottom: 1, left: 0, right: 3),
                        stride: AxisPair(rows: 2, columns: 3),
                        dilation: AxisPair(rows: 1, columns: 2))))
            list.append(
                Scenario(
                    rows: 45, columns: 53, kernelRows: 15, kernelColumns: 13,
                    rankOne: index % 3 == 0,
                    options: ConvolutionOptions(
                        operation: operation, mode: .same, boundary: boundary,
                        dilation: AxisPair(rows: 2, columns: 1))))
        }
        return list
    }()

    @Test(arguments: scenarios)
    func fastPathsMatchReference(_ scenario: Scenario) throws {
        let seed = UInt64(scenario.rows * 1000 + scenario.kernelRows)
        let input = TestData.plane(rows: scenario.rows, columns: scenario.columns, seed: seed)
        let kernel = try scenario.kernel(seed: seed + 1)
        let reference = try ReferenceConvolution.apply(kernel, to: input, options: scenario.options)
        let range = (reference.values.max() ?? 0) - (reference.values.min() ?? 0)
        var paths: [ConvolutionPath?] = [nil, .direct, .fft]
        if scenario.rankOne { paths.append(.separable) }
        for fused in [true, false] {
            for path in paths {
                for threads in [1, 2, 5] {
                    var options = scenario.options
                    options.path = path
                    options.threads = threads
                    let result = try FusedSums.$allowed.withValue(fused) {
                        try Convolution.apply(kernel, to: TestData.float(input), options: options)
                    }
                    #expect(result.rows == reference.rows && result.columns == reference.columns)
                    let difference = maxDifference(
                        result.values.map(Double.init), reference.values)
                    #expect(
                        difference <= 1e-5 * range,
                        "\(path?.rawValue ?? "planned") on \(threads) threads (fused \(fused)): off by \(difference)"
                    )
                }
            }
        }
    }

    /// The direct path leaves zero-weight taps out only for 8-bit input: in a float plane an
    /// inf under a zero tap still makes NaN (0 x inf) and inf exactly where the reference does,
    /// on both sum loops, and the finite values agree as elsewhere.
    @Test func zeroTapsStillMeetInfAndNaN() throws {
        let kernel = try Kernel(
            name: "zeros", rows: 3, columns: 3, weights: [-3, 0, 3, -10, 0, 10, -3, 0, 0.5])
        var input = TestData.plane(rows: 40, columns: 70, seed: 12)
        input.values[17 * 70 + 33] = .infinity
        input.values[30 * 70 + 2] = .nan
        let options = ConvolutionOptions(mode: .same, path: .direct)
        let reference = try ReferenceConvolution.apply(kernel, to: input, options: options)
        for fused in [true, false] {
            for threads in [1, 3] {
                var threaded = options
                threaded.threads = threads
                let result = try FusedSums.$allowed.withValue(fused) {
                    try Convolution.apply(kernel, to: TestData.float(input), options: threaded)
                }
                var nonFinite = 0
                for (value, expected) in zip(result.values.map(Double.init), reference.values) {
                    if expected.isFinite {
                        #expect(abs(value - expected) <= 1e-3, "fused \(fused), \(threads) threads")
                    } else {
                        nonFinite += 1
                        #expect(
                            value.isNaN == expected.isNaN && (value.isNaN || value == expected),
                            "fused \(fused), \(threads) threads: \(value), expected \(expected)")
                    }
                }
                #expect(nonFinite >= 9)
            }
        }
    }

    @Test func plannerChoosesByKernel() throws {
        let image = (rows: 512, columns: 512)
        func path(_ kernel: Kernel) throws -> ConvolutionPath {
            try ConvolutionPlan(
                kernel: kernel, inputRows: image.rows, inputColumns: image.columns,
                options: ConvolutionOptions()
            ).path
        }
        #expect(try path(TestData.kernel(rows: 3, columns: 3, seed: 1)) == .direct)
        #expect(try path(TestData.rankOneKernel(rows: 5, columns: 5, seed: 2)) == .separable)
        #expect(try path(TestData.rankOneKernel(rows: 31, columns: 31, seed: 3)) == .separable)
        #expect(try path(TestData.kernel(rows: 31, columns: 31, seed: 4)) == .fft)
        #expect(try path(TestData.kernel(rows: 1, columns: 9, seed: 5)) == .direct)
        let plan = try ConvolutionPlan(
            kernel: TestData.kernel(rows: 31, columns: 31, seed: 4), inputRows: 64,
            inputColumns: 64,
            options: ConvolutionOptions())
        #expect(plan.reason.contains("not separable"))
    }

    @Test func forcingSeparableOnAFullRankKernelThrows() throws {
        let kernel = try TestData.kernel(rows: 4, columns: 4, seed: 9)
        #expect(throws: ConvolutionError.self) {
            try ConvolutionPlan(
                kernel: kernel, inputRows: 20, inputColumns: 20,
                options: ConvolutionOptions(path: .separable))
        }
    }
}
