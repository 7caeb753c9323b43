// KernelSeparabilityTests: rank-1 detection on separable, nearly separable and non-separable
// kernels, and the readable form of the factors.

import Testing

@testable import Convolution

@Suite struct KernelSeparabilityTests {
    /// A small deterministic generator (64-bit LCG, Knuth's MMIX constants) for weights in [-1, 1).
    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
    }

    private func outer(_ column: [Double], _ row: [Double], name: String = "product") throws
        -> Kernel
    {
        try Kernel(
            name: name, rows: column.count, columns: row.count,
            weights: column.flatMap { a in row.map { a * $0 } })
    }

    private func largestError(_ kernel: Kernel, _ factors: (column: [Double], row: [Double]))
        -> Double
    {
        var largest = 0.0
        for r in 0..<kernel.rows {
            for c in 0..<kernel.columns {
                largest = max(largest, abs(kernel[r, c] - factors.column[r] * factors.row[c]))
            }
        }
        return largest
    }

    @Test(arguments: [(3, 3), (5, 5), (4, 6), (1, 7), (7, 1), (2, 2), (31, 31)])
    func randomRankOneProductsFactor(rows: Int, columns: Int) throws {
        var generator = Generator(state: UInt64(rows * 100 + columns))
        for _ in 0..<20 {
            let kernel = try outer(
                (0..<rows).map { _ in generator.next() },
                (0..<columns).map { _ in generator.next() })
            let factors = try #require(kernel.separableFactors())
            #expect(factors.column.count == rows && factors.row.count == columns)
            let largest = kernel.weights.map(abs).max() ?? 1
            #expect(largestError(kernel, factors) <= 1e-12 * largest)
        }
    }

    @Test func nonSeparableKernelsAreRefused() throws {
        var generator = Generator(state: 7)
        for size in [2, 3, 5, 31] {
            let kernel = try Kernel(
                name: "random", rows: size, columns: size,
                weights: (0..<(size * size)).map { _ in generator.next() })
            #expect(kernel.separableFactors() == nil, "random \(size)x\(size)")
        }
        for name in [
            "laplacian-4", "laplacian-8", "sharpen", "emboss", "kirsch-n", "roberts-x", "unsharp",
            "log:9,1.4", "dog:9,1,2", "disk:3",
        ] {
            let kernel = try #require(try KernelLibrary.resolve(name).first)
            #expect(kernel.separableFactors() == nil, "\(name)")
        }
    }

    @Test func separableNamedAndFamilyKernelsFactor() throws {
        for name in [
            "identity", "box3", "box5", "gaussian3", "gaussian5", "sobel-x", "sobel-y", "scharr-x",
            "scharr-y",
            "prewitt-x", "prewitt-y", "tutorial-horizontal", "gaussian:7,1.5", "gaussian:1,2",
            "box:2x3", "box:4",
        ] {
            let kernel = try #require(try KernelLibrary.resolve(name).first)
            let factors = try #require(kernel.separableFactors(), "\(name)")
            #expect(
                largestError(kernel, factors) <= 1e-12 * (kernel.weights.map(abs).max() ?? 1),
                "\(name)")
        }
    }

    @Test func nearlyRankOneWithinAndOutsideTolerance() throws {
        var generator = Generator(state: 42)
        let column = (0..<7).map { _ in generator.next() }
        let row = (0..<7).map { _ in generator.next() }
        let exact = try outer(column, row)
        let largest = exact.weights.map(abs).max() ?? 1
        for (noise, separable) in [(1e-9, true), (1e-7, true), (1e-4, false), (1e-2, false)] {
            let weights = exact.weights.map { $0 + noise * largest * generator.next() }
            let kernel = try Kernel(name: "noisy", rows: 7, columns: 7, weights: weights)
            let factors = kernel.separableFactors(tolerance: 1e-6)
            #expect((factors != nil) == separable, "noise \(noise)")
            if let factors { #expect(largestError(kernel, factors) <= 1e-6 * largest) }
            // A looser tolerance accepts what a tighter one refuses.
            if noise == 1e-4 { #expect(kernel.separableFactors(tolerance: 1e-2) != nil) }
        }
    }

    @Test func factorsAreInTheReadableForm() throws {
        // OpenCV's getDerivKernels(1, 0, 3): kx = [-1, 0, 1], ky = [1, 2, 1].
        let sobel = try #require(try KernelLibrary.resolve("sobel-x").first?.separableFactors())
        #expect(sobel.column == [1, 2, 1] && sobel.row == [-1, 0, 1])
        let sobelY = try #require(try KernelLibrary.resolve("sobel-y").first?.separableFactors())
        #expect(sobelY.column == [-1, 0, 1] && sobelY.row == [1, 2, 1])
        let scharr = try #require(try KernelLibrary.resolve("scharr-x").first?.separableFactors())
        #expect(scharr.column == [3, 10, 3] && scharr.row == [-1, 0, 1])
        let gaussian = try #require(
            try KernelLibrary.resolve("gaussian3").first?.separableFactors())
        #expect(gaussian.column == [0.25, 0.5, 0.25] && gaussian.row == [0.25, 0.5, 0.25])
        let negated = try #require(
            try Kernel(name: "negative", rows: 1, columns: 2, weights: [-2, -2]).separableFactors())
        #expect(negated.column == [2] && negated.row == [-1, -1])
    }

    @Test func integerKernelsGetIntegerFactors() throws {
        let k = try Kernel(name: "k", rows: 2, columns: 3, weights: [1, 2, 1, 2, 4, 2])
        let factors = try #require(k.integerFactors())
        #expect(factors.column == [1, 2] && factors.row == [1, 2, 1])
        // Sobel-x and Sobel-y as cv2.getDerivKernels gives them: the derivative's last tap positive.
        let sobelX = try Kernel(
            name: "x", rows: 3, columns: 3, weights: [-1, 0, 1, -2, 0, 2, -1, 0, 1])
        #expect(sobelX.integerFactors().map { [$0.column, $0.row] } == [[1, 2, 1], [-1, 0, 1]])
        let sobelY = try Kernel(
            name: "y", rows: 3, columns: 3, weights: [-1, -2, -1, 0, 0, 0, 1, 2, 1])
        #expect(sobelY.integerFactors().map { [$0.column, $0.row] } == [[-1, 0, 1], [1, 2, 1]])
        // Rank 2, or not whole numbers: no integer factors.
        #expect(
            try Kernel(name: "r2", rows: 2, columns: 2, weights: [1, 2, 3, 4]).integerFactors()
                == nil)
        #expect(
            try Kernel(name: "h", rows: 1, columns: 2, weights: [0.5, 1]).integerFactors() == nil)
    }

    @Test func nearlyRankOneIsNotExactlyRankOne() throws {
        // Within 1e-6 of the largest weight, so the engine may treat it as separable, but the
        // factors do not give the small weight back: not "exactly".
        let k = try Kernel(name: "k", rows: 2, columns: 2, weights: [1_000_000, 1, 1, 0])
        let factors = try #require(k.separableFactors(tolerance: 1e-6))
        #expect(!k.isReproducedExactly(column: factors.column, row: factors.row))
        let g = try Kernel(name: "g", rows: 1, columns: 3, weights: [0.25, 0.5, 0.25])
        #expect(g.isReproducedExactly(column: [0.5], row: [0.5, 1, 0.5]))
    }

    @Test func zeroKernelFactorsAsZeros() throws {
        let zero = try Kernel(
            name: "zero", rows: 2, columns: 3, weights: [Double](repeating: 0, count: 6))
        let factors = try #require(zero.separableFactors())
        #expect(factors.column == [0, 0] && factors.row == [0, 0, 0])
    }

    @Test func zeroSumAndBlurProperties() throws {
        for name in [
            "sobel-x", "scharr-y", "prewitt-x", "roberts-y", "laplacian-4", "laplacian-8", "edge",
            "tutorial-horizontal", "kirsch-n",
        ] {
            let kernel = try #require(try KernelLibrary.resolve(name).first)
            #expect(kernel.isZeroSum && !kernel.isBlur, "\(name)")
        }
        for name in ["identity", "box3", "box5", "gaussian3", "gaussian5"] {
            let kernel = try #require(try KernelLibrary.resolve(name).first)
            #expect(kernel.isBlur && !kernel.isZeroSum, "\(name)")
        }
        for name in ["sharpen", "unsharp", "emboss"] {
            let kernel = try #require(try KernelLibrary.resolve(name).first)
            #expect(!kernel.isBlur && !kernel.isZeroSum && abs(kernel.sum - 1) < 1e-12, "\(name)")
        }
    }
}
