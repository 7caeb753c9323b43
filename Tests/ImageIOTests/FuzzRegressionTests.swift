// File: replays the corpora of the png, npy and idx fuzz targets (Tests/Fuzz/TARGET/: seeds and
// the reproducers of fixed crashes in regressions/) through the same calls as the targets in
// Sources/Fuzz: every input must read or throw an ImageIOError, and what reads must round-trip.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct FuzzRegressionTests {
    @Test func pngCorpus() {
        FuzzCorpus("png").replay(refusing: ImageIOError.self) { path, bytes in
            _ = try? PNGDecoder.header(bytes)
            let image = try PNGDecoder.decode(bytes, maxPixels: 1 << 16)
            let again = try PNGDecoder.decode(PNGEncoder.encode(image))
            #expect(
                again.width == image.width && again.height == image.height
                    && again.channels == image.channels
                    && again.samples == image.samples,
                "\(path) changed after an encode and a decode")
        }
    }

    /// A 48-byte PNG whose header claims rows of 822 million RGB pixels: reading the header
    /// made libpng allocate and clear 2.4 GB of row buffers before any pixel was wanted.
    @Test func aHeaderClaimingHugeRowsAllocatesNothing() throws {
        let bytes = try FuzzCorpus("png").bytes(
            "regressions/header-of-822-million-pixel-wide-rows.png")
        let before = peakResidentBytes()
        let header = try PNGDecoder.header(bytes)
        let growth = peakResidentBytes() - before
        #expect(
            header.width == 822_083_591 && header.height == 5 && header.channels == 3
                && header.decodedBitDepth == 8)
        #expect(
            growth < 1 << 30, "reading the header raised the peak resident size by \(growth) bytes")
        #expect(throws: ImageIOError.self) { try PNGDecoder.decode(bytes) }
    }

    /// A 115-byte PNG with an iTXt chunk claiming 1.8 GB: libpng allocated and cleared a buffer
    /// of the claimed length before finding the data missing.
    @Test func aChunkClaimingGigabytesAllocatesNothing() throws {
        let bytes = try FuzzCorpus("png").bytes("regressions/itxt-chunk-claiming-1.8-gb.png")
        let before = peakResidentBytes()
        #expect(
            throws: ImageIOError.truncated(
                path: "<memory>", detail: "the data ends before the image does")
        ) {
            try PNGDecoder.decode(bytes)
        }
        let growth = peakResidentBytes() - before
        #expect(growth < 1 << 30, "decoding raised the peak resident size by \(growth) bytes")
    }

    /// The process's peak resident size (getrusage reports kilobytes on Linux).
    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    @Test func npyCorpus() {
        FuzzCorpus("npy").replay(refusing: ImageIOError.self) { path, bytes in
            if let widened = try? NPY.decodeWidened(bytes) {
                #expect(
                    widened.values.count == widened.shape.reduce(1, *),
                    "\(path): widened values do not fill the shape")
            }
            let array = try NPY.decode(bytes)
            let encoded = NPY.encode(array)
            #expect(
                NPY.encode(try NPY.decode(encoded)) == encoded,
                "\(path) changed after an encode and a decode")
            _ = try? ImageFile.image(from: array, name: path)
        }
    }

    @Test func idxCorpus() {
        FuzzCorpus("idx").replay(refusing: ImageIOError.self) { path, bytes in
            let array = try IDX.decode(bytes)
            #expect(
                array.count * array.elementType.size == array.data.count,
                "\(path): dimensions do not match the data")
            #expect(array.doubleValues().count == array.count)
        }
    }
}
