// PNGFailurePathTests: every allocation of a PNG decode or encode is made to fail in turn (a
// hook in CPNG), and each failure must come back as a typed out-of-memory error with nothing
// leaked (run under scripts/sanitize.sh address, LeakSanitizer checks the frees); zlib's
// 4 GiB limit is exercised with small pieces; damaged chunks get their own typed errors.

import CPNG
import ConvkitSupport
import ConvkitTestSupport
import Foundation
import Testing

@testable import ImageIO

@Suite struct PNGFailurePathTests {
    /// Runs `body` with the `count + 1`th allocation of its first CPNG call failing, for
    /// count = 0, 1, 2, ... until the call succeeds; checks every failure is `expected` and
    /// returns how many allocations failed in turn.
    private func failEachAllocation(
        expected: ImageIOError, _ body: () throws -> Void
    ) -> Int {
        for count in 0..<2000 {
            cpng_test_fail_allocations_after(count)
            do {
                try body()
                cpng_test_fail_allocations_after(-1)
                return count
            } catch let error as ImageIOError {
                if error != expected {
                    Issue.record("allocation \(count + 1) failing gave \(error)")
                    return count
                }
            } catch {
                Issue.record("allocation \(count + 1) failing threw \(type(of: error)): \(error)")
                return count
            }
        }
        Issue.record("still failing after 2000 allocations")
        return 2000
    }

    /// Random RGBA pixels: they barely compress, so the output buffer grows while libpng writes
    /// the IDAT chunks and a failing growth longjmps out of png_write_chunk.
    private func noise(width: Int, height: Int, seed: UInt64) throws -> Image {
        var generator = SeededGenerator(seed: seed)
        let samples = (0..<(width * height * 4)).map { _ in
            UInt8(truncatingIfNeeded: generator.next())
        }
        return try Image(width: width, height: height, channels: 4, samples: .uint8(samples))
    }

    @Test(arguments: ["rgb8", "palette4-trns", "rgba16-adam7", "gray1"])
    func decodingFailsCleanlyAtEveryAllocation(name: String) throws {
        let bytes = try FileAccess.readAll(fixtures.path("png/\(name).png"))
        let expected = try PNGDecoder.decode(bytes, name: "d.png")
        let failures = failEachAllocation(
            expected: .outOfMemory(path: "d.png", task: "decoding the PNG")
        ) {
            let image = try PNGDecoder.decode(bytes, name: "d.png")
            #expect(image == expected)
        }
        #expect(failures >= 5, "only \(failures) allocations while decoding \(name)")
    }

    /// libpng alone (300x300, under the band path's 1 MiB). One and four threads on 1 MiB of
    /// RGBA (the smallest image the band path takes): bands with a row buffer, libdeflate's
    /// compressor, a compressed buffer and zlib's state for the block walk each, then the IDAT
    /// chunks.
    @Test(arguments: [(1, 300, 5), (1, 512, 8), (4, 512, 20)])
    func encodingFailsCleanlyAtEveryAllocation(threads: Int, side: Int, atLeast: Int) throws {
        let image = try noise(width: side, height: side, seed: UInt64(threads * side))
        let options = PNGWriteOptions(compressionLevel: 1, threads: threads)
        let failures = failEachAllocation(
            expected: .outOfMemory(path: "<memory>", task: "encoding the PNG")
        ) {
            let bytes = try PNGEncoder.encode(image, options: options)
            #expect(try PNGDecoder.decode(bytes).samples == image.samples)
        }
        #expect(failures >= atLeast, "only \(failures) allocations with \(threads) threads")
    }

    @Test func aFailingWriteNamesTheFileAndLeavesNoFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/out.png"
        let image = try noise(width: 512, height: 512, seed: 3)
        cpng_test_fail_allocations_after(10)
        #expect(throws: ImageIOError.outOfMemory(path: path, task: "encoding the PNG")) {
            try PNGEncoder.write(image, to: path, options: PNGWriteOptions(threads: 4))
        }
        cpng_test_fail_allocations_after(-1)
        #expect(throws: ImageIOError.self) { try FileAccess.readAll(path) }
    }

    @Test(arguments: [1, 4])
    func bandsOverZlibsPieceSizeAreDeflatedInPieces(threads: Int) throws {
        let image = try noise(width: 600, height: 500, seed: 4)
        var smooth = image
        if case .uint8(let samples) = image.samples {
            // Half noise, half a gradient, so both stored-like and well-compressed pieces occur.
            smooth = try Image(
                width: 600, height: 500, channels: 4,
                samples: .uint8(
                    samples.enumerated().map { $0 < samples.count / 2 ? $1 : UInt8($0 % 251) }))
        }
        for level in [0, 6] {
            cpng_test_limit_zlib_pieces(1000)
            let bytes = try PNGEncoder.encode(
                smooth, options: PNGWriteOptions(compressionLevel: level, threads: threads))
            let decoded = try PNGDecoder.decode(bytes)
            #expect(
                decoded.samples == smooth.samples && decoded.channels == 4,
                "level \(level), \(threads) threads")
        }
    }

    // MARK: - Damaged chunks get typed errors from the chunk check, not from libpng's words

    private var valid: [UInt8] {
        get throws { try FileAccess.readAll(fixtures.path("png/rgb8.png")) }
    }

    /// The rgb8 fixture with a chunk of `kind` holding `data` inserted after IHDR (its CRC
    /// flipped when `badCRC`).
    private func inserting(_ kind: String, _ data: [UInt8], badCRC: Bool = false) throws
        -> [UInt8]
    {
        func bigEndian(_ value: UInt32) -> [UInt8] {
            [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
        }
        let body = Array(kind.utf8) + data
        let crc = PNGCorruptInputTests.crc32(body) ^ (badCRC ? 1 : 0)
        var bytes = try valid
        bytes.insert(contentsOf: bigEndian(UInt32(data.count)) + body + bigEndian(crc), at: 33)
        return bytes
    }

    @Test func anUnknownCriticalChunkIsUnsupported() throws {
        #expect(
            throws: ImageIOError.unsupported(path: "u.png", detail: "unknown critical chunk QXYZ")
        ) {
            try PNGDecoder.decode(inserting("QXYZ", [1, 2, 3]), name: "u.png")
        }
    }

    @Test func aChunkTypeThatIsNotLettersIsCorrupt() throws {
        do {
            _ = try PNGDecoder.decode(inserting("ab1d", [1]), name: "n.png")
            Issue.record("a chunk type with a digit was accepted")
        } catch ImageIOError.corrupt(let path, let detail) {
            #expect(path == "n.png" && detail.contains("not four letters"))
        }
    }

    @Test func anAncillaryChunkWithABadCRCIsDroppedAndTheImageRead() throws {
        let expected = try PNGDecoder.decode(valid)
        #expect(try PNGDecoder.decode(inserting("teXt", [65, 0, 66], badCRC: true)) == expected)
        #expect(throws: ImageIOError.crcMismatch(path: "p.png", detail: "PLTE chunk at byte 33")) {
            try PNGDecoder.decode(inserting("PLTE", [1, 2, 3], badCRC: true), name: "p.png")
        }
    }
}
