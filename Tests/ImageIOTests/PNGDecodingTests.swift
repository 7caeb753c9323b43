// PNGDecodingTests: every colour type and depth decoded against Pillow's or ImageMagick's samples.

import ConvkitTestSupport
import Testing

@testable import ImageIO

@Suite struct PNGDecodingTests {
    @Test func manifestCoversEveryColourTypeAndDepth() {
        let names = Set(PNGFixtures.cases.map(\.name))
        for required in [
            "gray1", "gray2", "gray4", "gray8", "gray16", "graya8", "graya16", "rgb8", "rgb16",
            "rgba8", "rgba16", "palette1", "palette2", "palette4", "palette8", "palette4-trns",
            "gray8-trns", "rgb8-trns", "rgb8-adam7", "gray8-adam7", "rgba16-adam7",
        ] {
            #expect(names.contains(required), "missing fixture \(required)")
        }
    }

    @Test(arguments: PNGFixtures.cases)
    func decodesLikeTheReference(_ testCase: PNGFixtures.Case) throws {
        let image = try PNGDecoder.read(path: fixtures.path("png/\(testCase.name).png"))
        #expect(image.width == testCase.width)
        #expect(image.height == testCase.height)
        #expect(image.channels == testCase.channels)
        #expect(image.bitDepth == testCase.bitDepth)
        #expect(image.source?.interlaced == testCase.interlaced)
        let expected = try PNGFixtures.expectedSamples(testCase)
        #expect(image.allSamples == expected)
    }

    @Test func keepsTheSourceFormat() throws {
        let gray2 = try PNGDecoder.read(path: fixtures.path("png/gray2.png"))
        #expect(gray2.source == PNGFormat(colorType: .gray, bitDepth: 2))
        let palette = try PNGDecoder.read(path: fixtures.path("png/palette4-trns.png"))
        #expect(
            palette.source
                == PNGFormat(colorType: .palette, bitDepth: 4, hasTransparencyChunk: true))
        #expect(palette.channels == 4)
    }

    @Test func headerReadsWithoutPixels() throws {
        let header = try PNGDecoder.header(path: fixtures.path("png/rgba16-adam7.png"))
        #expect(header.width == 10 && header.height == 9)
        #expect(header.format == PNGFormat(colorType: .rgba, bitDepth: 16, interlaced: true))
        #expect(header.channels == 4 && header.decodedBitDepth == 16)
    }

    @Test func decodesFromMemoryLikeFromAFile() throws {
        let path = fixtures.path("png/rgb16.png")
        let fromMemory = try PNGDecoder.decode(try FileAccess.readAll(path))
        #expect(fromMemory == (try PNGDecoder.read(path: path)))
    }
}
