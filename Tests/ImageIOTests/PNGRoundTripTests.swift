// PNGRoundTripTests: encoding then decoding gives the same pixels and the same bit depth.

import ConvkitSupport
import ConvkitTestSupport
import Testing

@testable import ImageIO

@Suite struct PNGRoundTripTests {
    @Test(arguments: PNGFixtures.cases)
    func fixtureSurvivesARoundTrip(_ testCase: PNGFixtures.Case) throws {
        let original = try PNGDecoder.read(path: fixtures.path("png/\(testCase.name).png"))
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
        var generator = SeededGenerator(seed: UInt64(channels * 100 + depth))
        let count = 37 * 23 * channels
        let samples: Image.Samples =
            depth == 8
            ? .uint8((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            : .uint16((0..<count).map { _ in UInt16(truncatingIfNeeded: generator.next()) })
        let image = try Image(width: 37, height: 23, channels: channels, samples: samples)
        for options in [
            PNGWriteOptions(compressionLevel: 0),
            PNGWriteOptions(compressionLevel: 9, interlaced: true),
        ] {
            let decoded = try PNGDecoder.decode(try PNGEncoder.encode(image, options: options))
            #expect(decoded.samples == image.samples)
            #expect(decoded.bitDepth == depth)
            #expect(decoded.source?.interlaced == options.interlaced)
        }
    }

    @Test(arguments: [(1, 8, 1), (1, 8, 2), (3, 8, 3), (4, 16, 7), (2, 16, 2)])
    func parallelEncodingMatchesLibpngAlone(layout: (channels: Int, depth: Int, threads: Int))
        throws
    {
        let threads = layout.threads
        // Large enough (over 1 MiB of samples) for the parallel path; smooth gradients plus noise
        // so that every filter type wins somewhere.
        var generator = SeededGenerator(seed: UInt64(layout.channels * 10 + threads))
        let width = 611
        let height = 1_300_000 / (width * layout.channels * layout.depth / 8) + 1
        let count = width * height * layout.channels
        let values = (0..<count).map { index -> Int in
            let x = index / layout.channels % width
            let y = index / layout.channels / width
            return (x * 3 + y * 5 + Int(generator.next() % 7)) % (layout.depth == 16 ? 65536 : 256)
        }
        let samples: Image.Samples =
            layout.depth == 8
            ? .uint8(values.map { UInt8($0) }) : .uint16(values.map { UInt16($0) })
        let image = try Image(
            width: width, height: height, channels: layout.channels, samples: samples)
        let reference = try PNGEncoder.encode(image, options: PNGWriteOptions(libpngOnly: true))
        let parallel = try PNGEncoder.encode(image, options: PNGWriteOptions(threads: threads))
        let tookParallelPath = parallel != reference
        #expect(tookParallelPath)
        let fromParallel = try PNGDecoder.decode(parallel)
        let fromReference = try PNGDecoder.decode(reference)
        #expect(fromParallel.samples == image.samples, "parallel encoding changed pixels")
        #expect(fromReference.samples == image.samples, "libpng encoding changed pixels")
        // Band-wise compression costs little: within 3% of libpng's own size (libdeflate's
        // bands share no dictionary; on photographs libdeflate's output is the smaller one).
        let sizes = (parallel: parallel.count, reference: reference.count)
        #expect(Double(sizes.parallel) < Double(sizes.reference) * 1.03)
    }

    @Test func bitDepthConversionIsExactBothWays() throws {
        let image = try Image(
            width: 256, height: 1, channels: 1, samples: .uint8((0...255).map { UInt8($0) }))
        let wide = image.converted(toBitDepth: 16)
        #expect(wide.allSamples == (0...255).map { $0 * 257 })
        #expect(wide.converted(toBitDepth: 8).samples == image.samples)
    }

    @Test func rejectsAnInvalidCompressionLevel() throws {
        let image = try Image(width: 1, height: 1, channels: 1, samples: .uint8([0]))
        #expect(throws: ImageIOError.self) {
            try PNGEncoder.encode(image, options: PNGWriteOptions(compressionLevel: 10))
        }
    }
}
