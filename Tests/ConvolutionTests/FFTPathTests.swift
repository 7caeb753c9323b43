// FFTPathTests: the FFT path's parts: the vectorised spectrum product against its plain loop,
// the tile shapes, and the wisdom file, which is used only when it is whole and this machine's.

import ConvkitSupport
import ConvkitTestSupport
import Convolution
import Foundation
import Testing

@Suite struct FFTPathTests {
    @Test func vectorisedSpectrumProductGivesThePlainLoopsBits() {
        var generator = SeededGenerator(seed: 77)
        for count in [0, 1, 3, 4, 5, 17, 1000] {
            let kernel = (0..<2 * count).map { _ in generator.nextUnitFloat() * 8 - 4 }
            let spectrum = (0..<2 * count).map { _ in generator.nextUnitFloat() * 2000 - 1000 }
            var plain = spectrum
            var fast = spectrum
            plain.withUnsafeMutableBufferPointer { p in
                FFTConvolution.multiplyByConjugate(
                    p.baseAddress!, kernel, count: count, vectorised: false)
            }
            fast.withUnsafeMutableBufferPointer { p in
                FFTConvolution.multiplyByConjugate(
                    p.baseAddress!, kernel, count: count, vectorised: true)
            }
            #expect(plain.map(\.bitPattern) == fast.map(\.bitPattern), "\(count) values")
            if count > 0 {
                // (a + bi)(c - di) = (ac + bd) + (bc - ad)i
                let (a, b, c, d) = (spectrum[0], spectrum[1], kernel[0], kernel[1])
                #expect(plain[0] == a * c + b * d && plain[1] == b * c - a * d)
            }
        }
    }

    @Test func columnTilesCoverAWideImageInFewerValues() {
        // 1024 columns under a 31-wide kernel: fewer columns transformed than three 512-wide
        // tiles (1536).
        let chosen = FFTConvolution.tileLength(span: 31, padded: 1054, across: 512)
        let tiles = (1024 + chosen - 31) / (chosen - 30)
        #expect(tiles * chosen < 1536 && tiles * (chosen - 30) >= 1024)
        for padded in [100, 700, 1054, 4126] {
            let width = FFTConvolution.tileLength(span: 31, padded: padded, across: 512)
            #expect(width >= 62 && (width <= 1024 || width >= padded))
        }
        // A narrow image keeps one tile.
        #expect(FFTConvolution.tileLength(span: 31, padded: 100, across: 128) >= 100)
    }

    @Test func tilesOfALargeKernelCoverTheImageInFewerRows() {
        // 1024x1024 under a 31x31 kernel ('same': 1054 padded): fewer rows transformed than
        // three 512-row tiles (1536), and as few columns as the column rule alone gives.
        let shape = FFTConvolution.tileShape(span: AxisPair(31), padded: AxisPair(1054))
        let tiles = (1024 + shape.rows - 31) / (shape.rows - 30)
        #expect(tiles * shape.rows < 1536 && tiles * (shape.rows - 30) >= 1024)
        #expect(
            shape.columns == FFTConvolution.tileLength(span: 31, padded: 1054, across: shape.rows))
        // A band streamed from a taller image keeps the image's row length.
        let band = FFTConvolution.tileShape(
            span: AxisPair(31), padded: AxisPair(rows: 700, columns: 1054), rows: shape.rows)
        #expect(band == shape)
        // An image no taller than one tile is one tile high.
        #expect(FFTConvolution.tileShape(span: AxisPair(31), padded: AxisPair(100)).rows >= 100)
    }

    @Test func wisdomRoundTripsAndRejectsDamage() {
        let text = "(fftw-3.3.10 fftwf_wisdom #x1 #x2 #x3 #x4\n)\n"
        let file = FFTWWisdom.encode(text)
        #expect(FFTWWisdom.decode(file) == text)
        #expect(FFTWWisdom.decode(file.replacingOccurrences(of: "#x2", with: "#x9")) == nil)
        #expect(FFTWWisdom.decode(String(file.dropLast(3))) == nil)
        #expect(FFTWWisdom.decode(text) == nil)
        #expect(FFTWWisdom.decode("") == nil)
        let header = file.prefix(while: { $0 != "\n" }).split(separator: " ")
        let foreign = "\(header[0]) \(header[1]) 0123456789abcdef \(header[3])\n\(text)"
        #expect(FFTWWisdom.decode(foreign) == nil)
    }

    @Test func aCorruptOrForeignWisdomFileIsIgnored() throws {
        let folder = try temporaryFolder("wisdom")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let garbage = folder + "/garbage"
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 131) }).write(
            to: URL(fileURLWithPath: garbage))
        #expect(!FFTWWisdom.load(from: garbage))
        let foreign = folder + "/foreign"
        try "convkit-fftwf-wisdom 1 0123456789abcdef 0000000000000000\n(fftw-3.3.10 fftwf_wisdom)\n"
            .write(toFile: foreign, atomically: true, encoding: .utf8)
        #expect(!FFTWWisdom.load(from: foreign))
        #expect(!FFTWWisdom.load(from: folder + "/missing"))
    }
}
