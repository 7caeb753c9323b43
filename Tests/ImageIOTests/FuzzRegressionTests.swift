// File: replays the corpora of the png, npy and idx fuzz targets (Tests/Fuzz/TARGET/: seeds and
// the reproducers of fixed crashes in regressions/) through the same calls as the targets in
// Sources/Fuzz: every input must read or throw an ImageIOError, and what reads must round-trip.

import Foundation
import ImageIO
import Testing

/// The files of one fuzz target's committed corpus, found from this file's location.
enum FuzzCorpus {
    static func files(_ target: String) -> [String] {
        let folder = folder(target)
        let entries =
            FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return entries.sorted().map { folder + "/" + $0 }.filter {
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder)
                && !isFolder.boolValue
        }
    }

    static func folder(_ target: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz").appendingPathComponent(target).path
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try #require(FileManager.default.contents(atPath: path)))
    }
}

@Suite struct FuzzRegressionTests {
    /// Whether `body` returned (true) or threw an ImageIOError (false); any other error is a failure.
    private func readsOrThrowsImageIOError(_ path: String, _ body: () throws -> Void) -> Bool {
        do {
            try body()
            return true
        } catch is ImageIOError {
            return false
        } catch {
            Issue.record("\(path) threw \(type(of: error)): \(error)")
            return false
        }
    }

    /// Each corpus holds valid inputs and broken ones; a corpus that is missing, or where
    /// everything or nothing reads, means the replay is not testing what it should.
    private func expectMixedOutcomes(_ outcomes: [Bool], _ target: String) {
        #expect(outcomes.count >= 5, "the \(target) corpus has \(outcomes.count) files")
        #expect(
            outcomes.contains(true) && outcomes.contains(false),
            "\(target): every input gave the same outcome")
    }

    @Test func pngCorpus() throws {
        var outcomes = [Bool]()
        for path in FuzzCorpus.files("png") {
            let bytes = try FuzzCorpus.bytes(path)
            outcomes.append(
                readsOrThrowsImageIOError(path) {
                    _ = try? PNGDecoder.header(bytes)
                    let image = try PNGDecoder.decode(bytes, maxPixels: 1 << 16)
                    let again = try PNGDecoder.decode(PNGEncoder.encode(image))
                    #expect(
                        again.width == image.width && again.height == image.height
                            && again.channels == image.channels
                            && again.samples == image.samples,
                        "\(path) changed after an encode and a decode")
                })
        }
        expectMixedOutcomes(outcomes, "png")
    }

    /// A 48-byte PNG whose header claims rows of 822 million RGB pixels: reading the header
    /// made libpng allocate and clear 2.4 GB of row buffers before any pixel was wanted.
    @Test func aHeaderClaimingHugeRowsAllocatesNothing() throws {
        let bytes = try FuzzCorpus.bytes(
            FuzzCorpus.folder("png") + "/regressions/header-of-822-million-pixel-wide-rows.png")
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
        let bytes = try FuzzCorpus.bytes(
            FuzzCorpus.folder("png") + "/regressions/itxt-chunk-claiming-1.8-gb.png")
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

    @Test func npyCorpus() throws {
        var outcomes = [Bool]()
        for path in FuzzCorpus.files("npy") {
            let bytes = try FuzzCorpus.bytes(path)
            outcomes.append(
                readsOrThrowsImageIOError(path) {
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
                })
        }
        expectMixedOutcomes(outcomes, "npy")
    }

    @Test func idxCorpus() throws {
        var outcomes = [Bool]()
        for path in FuzzCorpus.files("idx") {
            let bytes = try FuzzCorpus.bytes(path)
            outcomes.append(
                readsOrThrowsImageIOError(path) {
                    let array = try IDX.decode(bytes)
                    #expect(
                        array.count * array.elementType.size == array.data.count,
                        "\(path): dimensions do not match the data")
                    #expect(array.doubleValues().count == array.count)
                })
        }
        expectMixedOutcomes(outcomes, "idx")
    }
}
