// ImageFilteringTests: `image.filtered(by:)` with the command line's defaults, against scipy's
// `convolve2d(mode='same')` on the reference cases.

import ConvkitTestSupport
import Convolution
import ImageIO
import Testing

@Suite struct ImageFilteringTests {
    /// The scipy cases the defaults reproduce: convolve, same, zero fill, no padding or stride.
    static let defaultCases = Fixtures.scipy.filter {
        $0.operation == "convolve" && $0.mode == "same" && $0.boundary == "fill" && $0.fill == 0
            && $0.padding == [0, 0, 0, 0] && $0.stride == [1, 1] && $0.dilation == [1, 1]
    }

    @Test func defaultsAreScipysSameConvolution() {
        #expect(Self.defaultCases.count >= 4)
    }

    @Test(arguments: defaultCases)
    func matchesScipyInEachRange(_ fixture: ConvolutionFixture) throws {
        let image = try Image(
            width: fixture.input.columns, height: fixture.input.rows, channels: 1,
            samples: .uint8(fixture.input.values.map { UInt8($0) }))
        let filter = ImageFilter(steps: [[try fixture.makeKernel()]])
        let expected = fixture.expected.values
        let low = expected.min() ?? 0
        let high = expected.max() ?? 0
        let normalized = expected.map { Int((($0 - low) * 255 / (high - low)).rounded()) }
        let clamped = expected.map { Int(min(max($0, 0), 255).rounded()) }
        for (range, want) in [(OutputRange.normalize, normalized), (.clamp, clamped)] {
            let result = try image.filtered(by: filter, range: range)
            #expect(result.width == image.width && result.height == image.height)
            let worst = zip(result.allSamples, want).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1, "\(range): off by \(worst)")
        }
    }

    @Test func namedFiltersPickTheCommandLineRange() throws {
        let image = try Image(
            width: 6, height: 5, channels: 1,
            samples: .uint8((0..<30).map { UInt8(($0 * 37) % 256) }))
        let edges = try image.filtered(by: .named("scharr-x"))
        let scharr = try KernelLibrary.resolve("scharr-x")
        let explicit = try ImageFilter(steps: [scharr]).apply(to: image).image(range: .normalize)
        #expect(edges == explicit)
        #expect(edges.allSamples.min() == 0 && edges.allSamples.max() == 255)
        // A blur is clamped, so a flat image stays as it is inside the zero-padded border.
        let flat = try Image(
            width: 5, height: 5, channels: 1, samples: .uint8(.init(repeating: 90, count: 25)))
        let blurred = try flat.filtered(by: .named("box3"))
        #expect(blurred.sample(x: 2, y: 2, channel: 0) == 90)
        #expect(blurred.sample(x: 0, y: 0, channel: 0) == 40)
        #expect(throws: KernelError.self) { try flat.filtered(by: .named("scharr-z")) }
    }

    @Test func anOverflowIsAnErrorNotAnImage() throws {
        let huge = try Kernel(name: "huge", rows: 1, columns: 2, weights: [3e38, 3e38])
        let image = try Image(
            width: 3, height: 1, channels: 1, samples: .uint8([255, 255, 255]))
        #expect(throws: ConvolutionError.self) {
            try image.filtered(by: ImageFilter(steps: [[huge]]))
        }
    }
}
