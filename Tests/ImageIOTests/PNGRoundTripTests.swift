// PNGRoundTripTests: encoding then decoding gives the same pixels and the same bit depth.

import Testing
@testable import ImageIO

@Suite struct PNGRoundTripTests {
    @Test(arguments: Fixtures.pngCases)
    func fixtureSurvivesARoundTrip(_ testCase: Fixtures.PNGCase) throws {
        let original = try PNGDecoder.read(path: Fixtures.path("png/\(testCase.name).png"))
        let again = try PNGDecoder.decode(try PNGEncoder.encode(original))
        #expect(again.samples == original.samples)
        #expect(again.channels == original.channels)
        #expect(again.source?.bitDepth == original.source?.bitDepth)
        if original.source?.hasTransparencyChunk == false {
            #expect(again.source?.colorType == original.source?.colorType)
        }
    }

    @Test(arguments: [1, 2, 3, 4], [8, 16])
    func syntheticImagesRoundTrip(channels: Int, depth: Int) throws {
        var generator = SplitMix(seed: UInt64(channels * 100 + depth))
        let count = 37 * 23 * channels
        let samples: Image.Samples = depth == 8
            ? .uint8((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            : .uint16((0..<count).map { _ in UInt16(truncatingIfNeeded: generator.next()) })
        let image = try Image(width: 37, height: 23, channels: channels, samples: samples)
        for options in [PNGWriteOptions(compressionLevel: 0), PNGWriteOptions(compressionLevel: 9, interlaced: true)] {
            let decoded = try PNGDecoder.decode(try PNGEncoder.encode(image, options: options))
            #expect(decoded.samples == image.samples)
            #expect(decoded.bitDepth == depth)
            #expect(decoded.source?.interlaced == options.interlaced)
        }
    }

    @Test func bitDepthConversionIsExactBothWays() throws {
        let image = try Image(width: 256, height: 1, channels: 1, samples: .uint8((0...255).map { UInt8($0) }))
        let wide = image.converted(toBitDepth: 16)
        #expect(wide.allSamples == (0...255).map { $0 * 257 })
        #expect(wide.converted(toBitDepth: 8).samples == image.samples)
    }

    @Test func rejectsAnInvalidCompressionLevel() throws {
        let image = try Image(width: 1, height: 1, channels: 1, samples: .uint8([0]))
        #expect(throws: ImageIOError.self) { try PNGEncoder.encode(image, options: PNGWriteOptions(compressionLevel: 10)) }
    }
}

/// A small seeded generator so synthetic images are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
