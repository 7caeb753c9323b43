// StreamedFilterTests: the streamed path, with bands forced small, gives exactly the in-memory
// result for every mode, boundary, stride, padding and dilation, on grey and colour images of 8
// and 16 bits, with alpha, and on the direct, separable, FFT and reference paths.

import ConvkitSupport
import ConvkitTestSupport
import Convolution
import Foundation
import ImageIO
import Testing

@Suite struct StreamedFilterTests {
    func kernel(_ name: String, rows: Int, columns: Int, seed: UInt64) throws -> Kernel {
        var generator = SeededGenerator(seed: seed)
        return try Kernel(
            name: name, rows: rows, columns: columns,
            weights: (0..<(rows * columns)).map { _ in generator.nextUnitDouble() - 0.3 })
    }

    /// The streamed result of `filter` on `image` (written to a PNG first), bands joined.
    func streamed(_ filter: ImageFilter, _ image: Image, bandRows: Int, gray: Bool = false)
        throws -> FilteredImage
    {
        let folder = try temporaryFolder("stream")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/in.png"
        try PNGEncoder.write(image, to: path)
        var colour = [[Float]]()
        var alpha = [Float]()
        var rows = 0
        var columns = 0
        var next = 0
        var maxValue = 0
        try StreamedFilter(filter: filter, gray: gray, bandRows: bandRows).run(path: path) {
            band, first in
            #expect(first == next)
            next += band.rows
            rows += band.rows
            columns = band.columns
            maxValue = band.maxValue
            if colour.isEmpty { colour = Array(repeating: [], count: band.colour.count) }
            for (index, plane) in band.colour.enumerated() { colour[index] += plane.values }
            alpha += band.alpha?.values ?? []
        }
        return FilteredImage(
            colour: try colour.map { try Plane(rows: rows, columns: columns, values: $0) },
            alpha: alpha.isEmpty ? nil : try Plane(rows: rows, columns: columns, values: alpha),
            maxValue: maxValue)
    }

    func expectSame(
        _ filter: ImageFilter, _ image: Image, bandRows: Int, gray: Bool = false,
        _ label: String
    ) throws {
        let expected = try filter.apply(to: gray ? image.grayscale() : image)
        let got = try streamed(filter, image, bandRows: bandRows, gray: gray)
        #expect(got.rows == expected.rows && got.columns == expected.columns, "\(label)")
        #expect(got.colour == expected.colour, "\(label): colour differs")
        #expect(got.alpha == expected.alpha, "\(label): alpha differs")
    }

    static let boundaries: [BoundaryRule] = [
        .fill(0), .fill(7), .wrap, .symm, .reflect101, .nearest,
    ]
    static let shapes: [(padding: Padding, stride: AxisPair, dilation: AxisPair)] = [
        (.zero, AxisPair(1), AxisPair(1)),
        (.zero, AxisPair(rows: 2, columns: 3), AxisPair(1)),
        (Padding(top: 3, bottom: 1, left: 2, right: 0), AxisPair(1), AxisPair(1)),
        (.zero, AxisPair(1), AxisPair(rows: 3, columns: 2)),
        (Padding(all: 2), AxisPair(rows: 3, columns: 1), AxisPair(2)),
    ]

    @Test(arguments: ConvolutionMode.allCases)
    func streamedEqualsInMemoryForEveryBoundaryStridePaddingDilation(mode: ConvolutionMode)
        throws
    {
        let image = try Image.noise(width: 19, height: 23, channels: 1, bitDepth: 8, seed: 1)
        let odd = try kernel("k3x3", rows: 3, columns: 3, seed: 2)
        let even = try kernel("k4x2", rows: 2, columns: 4, seed: 3)
        for boundary in Self.boundaries {
            for shape in Self.shapes {
                for operation in ConvolutionOperation.allCases {
                    for k in [odd, even] {
                        let options = ConvolutionOptions(
                            operation: operation, mode: mode, boundary: boundary,
                            padding: shape.padding, stride: shape.stride, dilation: shape.dilation)
                        let filter = ImageFilter(steps: [[k]], options: options)
                        for bandRows in [1, 4] {
                            try expectSame(
                                filter, image, bandRows: bandRows,
                                "\(mode) \(boundary) \(shape) \(operation) \(k.name) bands \(bandRows)"
                            )
                        }
                    }
                }
            }
        }
    }

    @Test func sixteenBitColourAlphaAndGreyStreamAlike() throws {
        let blur = try Kernel(
            name: "blur", rows: 3, columns: 3, weights: Array(repeating: 1.0 / 9, count: 9))
        let edge = try kernel("edge", rows: 3, columns: 3, seed: 5)
        for (channels, depth) in [(1, 16), (3, 8), (3, 16), (4, 8), (4, 16), (2, 8)] {
            let image = try Image.noise(
                width: 17, height: 21, channels: channels, bitDepth: depth, seed: 9)
            for boundary in [BoundaryRule.fill(3), .wrap, .symm] {
                for k in [blur, edge] {
                    for alpha in AlphaPolicy.allCases {
                        let filter = ImageFilter(
                            steps: [[k]], options: ConvolutionOptions(boundary: boundary),
                            alpha: alpha)
                        try expectSame(
                            filter, image, bandRows: 3,
                            "\(channels)x\(depth) \(boundary) \(k.name) \(alpha)")
                    }
                }
                let filter = ImageFilter(
                    steps: [[edge]], options: ConvolutionOptions(boundary: boundary))
                try expectSame(
                    filter, image, bandRows: 5, gray: true, "grey of \(channels)x\(depth)")
            }
        }
    }

    @Test func compassSetsMagnitudeSeparableAndReferenceStreamAlike() throws {
        let image = try Image.noise(width: 31, height: 29, channels: 3, bitDepth: 8, seed: 11)
        let a = try kernel("a", rows: 3, columns: 3, seed: 12)
        let b = try kernel("b", rows: 3, columns: 3, seed: 13)
        let column = [0.25, 0.5, 0.25, 0.1, 0.3]
        let row = [1.0, 2.0, 0.5, 1.5, 1.0]
        let rankOne = try Kernel(
            name: "rank1", rows: 5, columns: 5, weights: column.flatMap { c in row.map { c * $0 } })
        let options = ConvolutionOptions(mode: .same, boundary: .reflect101, stride: AxisPair(2))
        try expectSame(
            ImageFilter(steps: [[a, b]], options: options), image, bandRows: 2, "compass")
        try expectSame(
            ImageFilter(steps: [[a], [b]], options: options, magnitude: true), image, bandRows: 3,
            "magnitude")
        let separable = ImageFilter(
            steps: [[rankOne]], options: ConvolutionOptions(boundary: .wrap))
        #expect(try separable.planDescriptions(rows: 29, columns: 31)[0].contains("separable"))
        try expectSame(separable, image, bandRows: 4, "separable")
        try expectSame(
            ImageFilter(steps: [[a]], options: options, float64: true), image, bandRows: 3,
            "reference Float64")
    }

    @Test func fftBandsFollowTheImagesTiles() throws {
        let image = try Image.noise(width: 40, height: 300, channels: 1, bitDepth: 8, seed: 21)
        let large = try kernel("k13", rows: 13, columns: 13, seed: 22)
        for (boundary, stride) in [
            (BoundaryRule.fill(0), 1), (.wrap, 1), (.symm, 3), (.fill(5), 2),
        ] {
            let filter = ImageFilter(
                steps: [[large]],
                options: ConvolutionOptions(
                    mode: .full, boundary: boundary, stride: AxisPair(stride)))
            #expect(try filter.planDescriptions(rows: 300, columns: 40)[0].contains("fft"))
            try expectSame(filter, image, bandRows: 1, "fft \(boundary) stride \(stride)")
        }
    }

    /// A chain of kernels of different sizes streams with the in-memory result for every
    /// boundary but wrap, mode, stride, padding and dilation, with bands of one row and more.
    @Test(arguments: ConvolutionMode.allCases)
    func chainsStreamAsInMemory(mode: ConvolutionMode) throws {
        let image = try Image.noise(width: 19, height: 23, channels: 1, bitDepth: 8, seed: 31)
        let a = try kernel("k3x3", rows: 3, columns: 3, seed: 32)
        let b = try kernel("k2x4", rows: 4, columns: 2, seed: 33)
        let c = try kernel("k1x5", rows: 5, columns: 1, seed: 34)
        for boundary in Self.boundaries where boundary != .wrap {
            for shape in Self.shapes {
                for operation in ConvolutionOperation.allCases {
                    let options = ConvolutionOptions(
                        operation: operation, mode: mode, boundary: boundary,
                        padding: shape.padding, stride: shape.stride, dilation: shape.dilation)
                    let filter = ImageFilter(steps: [[a], [b], [c]], options: options)
                    // Full mode with padding grows 23 rows by 16; valid mode with stride and
                    // dilation can leave too few rows for the third kernel, as in memory.
                    guard (try? filter.apply(to: image)) != nil else {
                        #expect(throws: ConvolutionError.self) {
                            try streamed(filter, image, bandRows: 4)
                        }
                        continue
                    }
                    for bandRows in [1, 4] {
                        try expectSame(
                            filter, image, bandRows: bandRows,
                            "\(mode) \(boundary) \(shape) \(operation) bands \(bandRows)")
                    }
                }
            }
        }
    }

    @Test func chainsStreamColourAlphaGreySixteenBitCompassSetsAndFloat64() throws {
        let blur = try Kernel(
            name: "blur", rows: 3, columns: 3, weights: Array(repeating: 1.0 / 9, count: 9))
        let edge = try kernel("edge", rows: 5, columns: 5, seed: 41)
        let other = try kernel("other", rows: 5, columns: 5, seed: 42)
        for (channels, depth) in [(3, 16), (4, 8), (2, 16)] {
            let image = try Image.noise(
                width: 17, height: 21, channels: channels, bitDepth: depth, seed: 43)
            for boundary in [BoundaryRule.fill(3), .symm, .nearest] {
                let options = ConvolutionOptions(boundary: boundary)
                for alpha in AlphaPolicy.allCases {
                    for steps in [[[blur], [blur]], [[blur], [edge]]] {
                        try expectSame(
                            ImageFilter(steps: steps, options: options, alpha: alpha), image,
                            bandRows: 3,
                            "\(channels)x\(depth) \(boundary) \(alpha) \(steps.map(\.[0].name))")
                    }
                }
                try expectSame(
                    ImageFilter(steps: [[blur], [edge, other]], options: options), image,
                    bandRows: 2, gray: true, "grey \(channels)x\(depth) compass")
                try expectSame(
                    ImageFilter(steps: [[edge], [blur]], options: options, float64: true), image,
                    bandRows: 4, "float64 \(channels)x\(depth)")
            }
        }
    }

    /// A float32 array streamed from its `.npy` file gives the planes of the whole array's
    /// filtering: one kernel on every path and boundary, chains, and several channels.
    @Test func floatArraysStreamAsInMemory() throws {
        let folder = try temporaryFolder("stream-array")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SeededGenerator(seed: 51)
        func array(rows: Int, columns: Int, channels: Int) throws -> NPYArray {
            let values = (0..<(rows * columns * channels)).map { _ in
                Float(generator.nextUnitDouble() * 2e3 - 1e3)
            }
            let shape = channels == 1 ? [rows, columns] : [rows, columns, channels]
            return try NPYArray(shape: shape, values: .float32(values))
        }
        let a = try kernel("k3x3", rows: 3, columns: 3, seed: 52)
        let b = try kernel("k2x4", rows: 4, columns: 2, seed: 53)
        let c = try kernel("c3x3", rows: 3, columns: 3, seed: 55)
        let large = try kernel("k13", rows: 13, columns: 13, seed: 54)
        let cases: [(ImageFilter, NPYArray, Int, String)] = [
            (
                ImageFilter(steps: [[a]], options: ConvolutionOptions(boundary: .wrap)),
                try array(rows: 23, columns: 19, channels: 1), 1, "wrap"
            ),
            (
                ImageFilter(
                    steps: [[b]],
                    options: ConvolutionOptions(
                        mode: .full, boundary: .fill(7), padding: Padding(all: 2),
                        stride: AxisPair(rows: 2, columns: 1))),
                try array(rows: 23, columns: 19, channels: 3), 4, "fill 7 full stride"
            ),
            (
                ImageFilter(steps: [[large]], options: ConvolutionOptions(mode: .full)),
                try array(rows: 300, columns: 40, channels: 1), 1, "fft"
            ),
            (
                ImageFilter(steps: [[a], [b]], options: ConvolutionOptions(boundary: .symm)),
                try array(rows: 23, columns: 19, channels: 4), 3, "chain symm"
            ),
            (
                ImageFilter(
                    steps: [[a], [c]], options: ConvolutionOptions(boundary: .reflect101),
                    magnitude: true),
                try array(rows: 23, columns: 19, channels: 2), 5, "magnitude"
            ),
        ]
        for (index, (filter, input, bandRows, label)) in cases.enumerated() {
            let path = "\(folder)/a\(index).npy"
            try NPY.write(input, to: path)
            guard case .float32(let expected) = try filter.apply(to: input, name: path).planes
            else { continue }
            var got = [[Float]](repeating: [], count: expected.count)
            var next = 0
            try StreamedFilter(filter: filter, bandRows: bandRows).run(
                array: try NPYRowReader(path: path), maxValue: 255
            ) { band, first in
                #expect(first == next && band.alpha == nil && band.maxValue == 255)
                next += band.rows
                for (channel, plane) in band.colour.enumerated() { got[channel] += plane.values }
            }
            #expect(got == expected.map(\.values), "\(label)")
        }
        var bad = try array(rows: 40, columns: 5, channels: 1)
        if case .float32(var values) = bad.values {
            values[33 * 5 + 2] = .nan
            bad = try NPYArray(shape: bad.shape, values: .float32(values))
        }
        try NPY.write(bad, to: folder + "/nan.npy")
        #expect {
            try StreamedFilter(filter: ImageFilter(steps: [[a]]), bandRows: 4).run(
                array: try NPYRowReader(path: folder + "/nan.npy"), maxValue: 255
            ) { _, _ in }
        } throws: { "\($0)".contains("nan.npy: holds nan at x 2, y 33") }
    }

    @Test func mixedSizesWrappedChainsAndFFTChainsDoNotStream() throws {
        let a = try kernel("a", rows: 3, columns: 3, seed: 1)
        let b = try kernel("b", rows: 5, columns: 5, seed: 1)
        let large = try kernel("k13", rows: 13, columns: 13, seed: 22)
        #expect(StreamedFilter.obstacle(to: ImageFilter(steps: [[a], [b]])) == nil)
        #expect(StreamedFilter.obstacle(to: ImageFilter(steps: [[a, b]])) != nil)
        #expect(StreamedFilter.obstacle(to: ImageFilter(steps: [[a], [a, b]])) != nil)
        #expect(
            StreamedFilter.obstacle(
                to: ImageFilter(steps: [[a], [b]], options: ConvolutionOptions(boundary: .wrap)))
                != nil)
        #expect(StreamedFilter.obstacle(to: ImageFilter(steps: [[a], [large]])) != nil)
        #expect(
            StreamedFilter.obstacle(to: ImageFilter(steps: [[a], [large]], float64: true)) == nil)
        #expect(
            StreamedFilter.obstacle(to: ImageFilter(steps: [[a], [b]], magnitude: true)) != nil)
        #expect(
            StreamedFilter.obstacle(to: ImageFilter(steps: [[a], [a]], magnitude: true)) == nil)
    }
}
