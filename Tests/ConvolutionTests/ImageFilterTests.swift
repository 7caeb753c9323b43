// ImageFilterTests: output ranges, default range and alpha rules, compass maxima on small images.

import Convolution
import ImageIO
import Testing

@Suite struct ImageFilterTests {
    func plane(_ values: [Float], rows: Int, columns: Int) throws -> Plane<Float> {
        try Plane(rows: rows, columns: columns, values: values)
    }

    @Test func rangesMapFloatsToSamples() throws {
        let p = try plane([-100, -1.4, 0, 127.6, 300], rows: 1, columns: 5)
        #expect(OutputRange.clamp.map([p], maxValue: 255) == [[0, 0, 0, 128, 255]])
        #expect(OutputRange.abs.map([p], maxValue: 255) == [[100, 1, 0, 128, 255]])
        #expect(OutputRange.offset.map([p], maxValue: 255) == [[28, 127, 128, 255, 255]])
        #expect(OutputRange.normalize.map([p], maxValue: 255) == [[0, 63, 64, 145, 255]])
        // Colour channels are normalised together, and a flat result does not divide by zero.
        let q = try plane([0, 20], rows: 1, columns: 2)
        let r = try plane([100, 100], rows: 1, columns: 2)
        #expect(OutputRange.normalize.map([q, r], maxValue: 255) == [[0, 51], [255, 255]])
        #expect(OutputRange.normalize.map([r], maxValue: 65535) == [[0, 0]])
    }

    @Test func defaultRangeFollowsTheKernels() throws {
        let sobel = try Kernel(
            name: "sobel-x", rows: 3, columns: 3, weights: [-1, 0, 1, -2, 0, 2, -1, 0, 1])
        let box = try Kernel(
            name: "box3", rows: 3, columns: 3, weights: .init(repeating: 1.0 / 9, count: 9))
        #expect(OutputRange.automatic(kernelSteps: [[sobel]], magnitude: false) == .normalize)
        #expect(
            OutputRange.automatic(kernelSteps: [[box], [sobel]], magnitude: false) == .normalize)
        #expect(OutputRange.automatic(kernelSteps: [[box]], magnitude: false) == .clamp)
        #expect(OutputRange.automatic(kernelSteps: [[box], [box]], magnitude: true) == .normalize)
    }

    @Test func compassSetTakesThePerPixelMaximum() throws {
        let right = try Kernel(name: "r", rows: 1, columns: 3, weights: [0, 0, 1])
        let left = try Kernel(name: "l", rows: 1, columns: 3, weights: [1, 0, 0])
        let image = try Image(width: 4, height: 1, channels: 1, samples: .uint8([10, 40, 20, 30]))
        let options = ConvolutionOptions(operation: .correlate, mode: .same)
        let result = try ImageFilter(steps: [[right, left]], options: options).apply(to: image)
        // Each output is the larger of its right and left neighbour (0 past the edges).
        #expect(result.colour[0].values == [40, 20, 40, 20])
    }

    @Test func passThroughAlphaFollowsTheGeometry() throws {
        // With stride 2 in valid mode, alpha is sampled where each output's kernel is anchored.
        let alphaValues: [UInt8] = [0, 50, 100, 150, 200, 250]
        var samples = [UInt8]()
        for a in alphaValues { samples += [9, a] }
        let image = try Image(width: 6, height: 1, channels: 2, samples: .uint8(samples))
        let edge = try Kernel(name: "d", rows: 1, columns: 3, weights: [-1, 0, 1])
        let options = ConvolutionOptions(
            operation: .correlate, mode: .valid, stride: AxisPair(rows: 1, columns: 2))
        let result = try ImageFilter(steps: [[edge]], options: options, alpha: .pass).apply(
            to: image)
        #expect(result.alpha?.values == [50, 150])
        let same = try ImageFilter(
            steps: [[edge]], options: ConvolutionOptions(mode: .same), alpha: .auto
        ).apply(to: image)
        #expect(same.alpha?.values == alphaValues.map(Float.init))
    }

    @Test func magnitudeOfDifferentSizesThrows() throws {
        let image = try Image(
            width: 6, height: 5, channels: 1, samples: .uint8(.init(repeating: 7, count: 30)))
        let small = try Kernel(name: "a", rows: 1, columns: 2, weights: [1, -1])
        let large = try Kernel(
            name: "b", rows: 3, columns: 3, weights: [1, 0, -1, 2, 0, -2, 1, 0, -1])
        let filter = ImageFilter(
            steps: [[small], [large]], options: ConvolutionOptions(mode: .valid), magnitude: true)
        #expect(throws: ConvolutionError.self) { try filter.apply(to: image) }
    }
}
