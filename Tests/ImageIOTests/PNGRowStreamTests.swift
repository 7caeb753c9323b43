// PNGRowStreamTests: the streamed PNG writer, with its deflate pieces forced small so an image
// spans many of them, writes files that decode to the in-memory writer's pixels; the streamed
// reader gives each damaged file its own typed error.

import CPNG
import ConvkitSupport
import ConvkitTestSupport
import Foundation
import Testing

@testable import ImageIO

@Suite struct PNGRowStreamTests {
    /// Half seeded noise, half a gradient, so pieces that barely compress and pieces that
    /// compress well both occur.
    private func image(width: Int, height: Int, channels: Int, bitDepth: Int) throws -> Image {
        var generator = SeededGenerator(seed: UInt64(channels * 100 + bitDepth))
        let count = width * height * channels
        func value(_ index: Int, _ maximum: Int) -> Int {
            index < count / 2
                ? Int(generator.next() % UInt64(maximum + 1)) : (index * 37 / 3) % (maximum + 1)
        }
        let samples: Image.Samples =
            bitDepth == 16
            ? .uint16((0..<count).map { UInt16(value($0, 65535)) })
            : .uint8((0..<count).map { UInt8(value($0, 255)) })
        return try Image(width: width, height: height, channels: channels, samples: samples)
    }

    /// `image` written by PNGRowWriter in bands of 1, 2, 3, ... rows, with pieces of about
    /// `pieceBytes` (0: the normal size) deflated on `threads` threads.
    private func streamed(
        _ image: Image, level: Int, pieceBytes: Int, threads: Int = 1, to path: String
    ) throws -> [UInt8] {
        let bitDepth = image.bitDepth
        let rowSamples = image.width * image.channels
        try FileAccess.writeAtomically(to: path) { descriptor in
            cpng_test_limit_stream_pieces(pieceBytes)
            cpng_test_stream_deflate_threads(Int32(threads))
            let writer = try PNGRowWriter(
                descriptor: descriptor, path: path, width: image.width, height: image.height,
                channels: image.channels, bitDepth: bitDepth, compressionLevel: level)
            var row = 0
            var band = 1
            while row < image.height {
                let count = min(band, image.height - row)
                let range = (row * rowSamples)..<((row + count) * rowSamples)
                switch image.samples {
                case .uint8(let values):
                    try Array(values[range]).withUnsafeBytes {
                        try writer.write(rows: count, from: $0.baseAddress!)
                    }
                case .uint16(let values):
                    try Array(values[range]).withUnsafeBytes {
                        try writer.write(rows: count, from: $0.baseAddress!)
                    }
                }
                row += count
                band += 1
            }
        }
        return try FileAccess.readAll(path)
    }

    /// Every level, one deflate thread and three (pieces finishing out of order must still
    /// join in order, their checksums combined).
    @Test(arguments: [1, 3], [8, 16])
    func manySmallPiecesDecodeToTheInMemoryWritersPixels(channels: Int, bitDepth: Int) throws {
        let folder = try temporaryFolder("rowstream")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try image(width: 97, height: 61, channels: channels, bitDepth: bitDepth)
        let rowBytes = 97 * channels * bitDepth / 8 + 1
        for level in 0...9 {
            let inMemory = try PNGDecoder.decode(
                PNGEncoder.encode(original, options: PNGWriteOptions(compressionLevel: level)))
            #expect(inMemory.samples == original.samples)
            let whole = try streamed(original, level: level, pieceBytes: 0, to: folder + "/w.png")
            // One row a piece (61 pieces), then about five rows a piece.
            for pieceBytes in [1, 5 * rowBytes + 7] {
                for threads in [1, 3] {
                    let label =
                        "\(channels) channels, \(bitDepth) bits, level \(level), \(pieceBytes), "
                        + "\(threads) threads"
                    let bytes = try streamed(
                        original, level: level, pieceBytes: pieceBytes, threads: threads,
                        to: folder + "/p.png")
                    let decoded = try PNGDecoder.decode(bytes)
                    #expect(decoded.samples == inMemory.samples, "\(label)")
                    #expect(decoded.width == 97 && decoded.height == 61, "\(label)")
                    #expect(decoded.channels == channels, "\(label)")
                    #expect(decoded.bitDepth == bitDepth, "\(label)")
                    // Pieces deflate separately, joined by empty stored blocks: the hook took
                    // effect.
                    if level > 0 { #expect(bytes != whole, "\(label)") }
                }
            }
        }
    }

    /// Each allocation of the streamed writer (pieces, compressors, deflated pieces, zlib's
    /// state for the block walk) failing in turn, with one and two deflate threads: an
    /// out-of-memory error naming the file, nothing left behind, nothing leaked (under ASan).
    @Test(arguments: [1, 2])
    func theStreamedWriterFailsCleanlyAtEveryAllocation(threads: Int) throws {
        let folder = try temporaryFolder("rowstream")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try image(width: 40, height: 30, channels: 3, bitDepth: 8)
        let path = folder + "/o.png"
        var failures = 0
        for count in 0..<500 {
            cpng_test_fail_allocations_after(count)
            defer { cpng_test_fail_allocations_after(-1) }
            do {
                let bytes = try streamed(
                    original, level: 6, pieceBytes: 7 * 121, threads: threads, to: path)
                #expect(try PNGDecoder.decode(bytes).samples == original.samples)
                break
            } catch let error as ImageIOError {
                guard case .writeFailed(let failedPath, let reason) = error, failedPath == path,
                    reason.hasPrefix("out of memory")
                else {
                    Issue.record("allocation \(count + 1) failing gave \(error)")
                    break
                }
                #expect(!FileManager.default.fileExists(atPath: path))
                failures += 1
            }
        }
        // rows, IDAT chunk, pieces, compressors; then per piece its output and the walk's state.
        #expect(failures >= 2 * threads + 6, "only \(failures) allocations failed in turn")
    }

    @Test func writingMoreRowsThanTheImageHasIsRefused() throws {
        let folder = try temporaryFolder("rowstream")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/x.png"
        let rows = [UInt8](repeating: 9, count: 3 * 4)
        #expect(
            throws: ImageIOError.writeFailed(path: path, reason: "more rows than the image has")
        ) {
            try FileAccess.writeAtomically(to: path) { descriptor in
                let writer = try PNGRowWriter(
                    descriptor: descriptor, path: path, width: 4, height: 2, channels: 1,
                    bitDepth: 8, compressionLevel: 6)
                try rows.withUnsafeBytes { try writer.write(rows: 3, from: $0.baseAddress!) }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    // MARK: - The streamed reader's typed errors, one crafted file each

    /// A chunk: its type and data (and its CRC, flipped when `badCRC`).
    private struct Chunk {
        var kind: String
        var data: [UInt8]
        var badCRC = false
        var length: UInt32?

        var bytes: [UInt8] {
            let body = Array(kind.utf8) + data
            let crc = PNGCorruptInputTests.crc32(body) ^ (badCRC ? 1 : 0)
            return bigEndian(length ?? UInt32(data.count)) + body + bigEndian(crc)
        }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }
    private func bigEndian(_ value: UInt32) -> [UInt8] { Self.bigEndian(value) }

    private static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// The chunks of a valid 40x30 RGB 8-bit PNG of noise (so its IDAT is large).
    private func validChunks() throws -> [Chunk] {
        let bytes = try PNGEncoder.encode(
            image(width: 40, height: 30, channels: 3, bitDepth: 8),
            options: PNGWriteOptions(compressionLevel: 6))
        var chunks = [Chunk]()
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            chunks.append(
                Chunk(
                    kind: String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self),
                    data: Array(bytes[(offset + 8)..<(offset + 8 + length)])))
            offset += 12 + length
        }
        return chunks
    }

    private func file(_ chunks: [Chunk]) -> [UInt8] {
        Self.signature + chunks.flatMap(\.bytes)
    }

    /// Opens `bytes` (written to a file) with PNGRowReader and reads every row; the error it
    /// throws, nil if it reads the whole image.
    private func readError(_ bytes: [UInt8], name: String = "s.png") throws -> ImageIOError? {
        let folder = try temporaryFolder("rowstream")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + name
        try FileAccess.writeAtomically(bytes, to: path)
        do {
            try readAll(path: path)
            return nil
        } catch let error as ImageIOError {
            return error.withPath(name)
        }
    }

    @discardableResult
    private func readAll(path: String) throws -> [UInt8] {
        let reader = try PNGRowReader(path: path)
        var samples = [UInt8](
            repeating: 0,
            count: reader.samplesPerRow * reader.header.height * reader.header.decodedBitDepth / 8)
        try samples.withUnsafeMutableBytes { raw in
            for row in 0..<reader.header.height {
                try reader.read(
                    rows: 1,
                    into: raw.baseAddress! + row * reader.samplesPerRow
                        * reader.header.decodedBitDepth / 8)
            }
        }
        return samples
    }

    @Test func theCraftedFileReadsWhole() throws {
        #expect(try readError(file(validChunks())) == nil)
    }

    @Test func aFileWithoutTheSignatureIsNotAPNG() throws {
        #expect(
            try readError(Array("GIF89a and more bytes".utf8))
                == .notThisFormat(path: "s.png", expected: "a PNG file (no PNG signature)"))
    }

    @Test func aFileEndingInsideTheSignatureIsTruncated() throws {
        #expect(
            try readError(Array(Self.signature.prefix(5)))
                == .truncated(path: "s.png", detail: "the data ends before the image does"))
    }

    @Test func aFirstChunkTypeThatIsNotLettersIsABadHeader() throws {
        var chunks = try validChunks()
        chunks[0].kind = "IH1R"
        #expect(
            try readError(file(chunks))
                == .badHeader(path: "s.png", detail: "a chunk type is not four letters"))
    }

    @Test func aFirstChunkOtherThanIHDRIsABadHeader() throws {
        var chunks = try validChunks()
        chunks.insert(Chunk(kind: "tEXt", data: Array("a\u{0}b".utf8)), at: 0)
        #expect(
            try readError(file(chunks))
                == .badHeader(path: "s.png", detail: "the first chunk is tEXt, not IHDR"))
    }

    @Test func anIHDROfTheWrongLengthIsABadHeader() throws {
        var chunks = try validChunks()
        chunks[0].data.append(0)
        #expect(
            try readError(file(chunks))
                == .badHeader(path: "s.png", detail: "IHDR has 14 bytes, not 13"))
    }

    @Test func impossibleIHDRValuesAreBadHeaders() throws {
        let cases: [(Int, UInt8, String)] = [
            (8, 7, "bit depth 7 is not allowed with colour type 2"),
            (9, 5, "colour type 5 is not 0, 2, 3, 4 or 6"),
            (10, 1, "compression, filter or interlace method 1/0/0 is not defined"),
            (0, 0x80, "image size 2147483688x30 is outside 1..2147483647"),
        ]
        for (offset, value, detail) in cases {
            var chunks = try validChunks()
            chunks[0].data[offset] = value
            #expect(try readError(file(chunks)) == .badHeader(path: "s.png", detail: detail))
        }
    }

    @Test func aLaterChunkTypeThatIsNotLettersIsCorrupt() throws {
        var chunks = try validChunks()
        chunks.insert(Chunk(kind: "ab1d", data: [1]), at: 1)
        #expect(
            try readError(file(chunks))
                == .corrupt(path: "s.png", detail: "a chunk type is not four letters"))
    }

    @Test func aChunkClaimingOver2GiBIsCorrupt() throws {
        var chunks = try validChunks()
        chunks.insert(Chunk(kind: "tEXt", data: [], length: 0x8000_0000), at: 1)
        #expect(
            try readError(file(chunks))
                == .corrupt(
                    path: "s.png", detail: "tEXt claims 2147483648 bytes, more than 2^31-1"))
    }

    @Test func anUnknownCriticalChunkIsUnsupported() throws {
        var chunks = try validChunks()
        chunks.insert(Chunk(kind: "QXYZ", data: [1, 2, 3]), at: 1)
        #expect(
            try readError(file(chunks))
                == .unsupported(path: "s.png", detail: "unknown critical chunk QXYZ"))
    }

    @Test(arguments: ["IHDR", "IDAT", "IEND"])
    func aCriticalChunksCRCMismatchIsNamed(kind: String) throws {
        var chunks = try validChunks()
        let index = try #require(chunks.firstIndex { $0.kind == kind })
        chunks[index].badCRC = true
        #expect(
            try readError(file(chunks))
                == .crcMismatch(path: "s.png", detail: "\(kind) chunk CRC does not match its data"))
    }

    @Test func anAncillaryChunksBadCRCIsDroppedAndTheRowsRead() throws {
        let folder = try temporaryFolder("rowstream")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var chunks = try validChunks()
        try FileAccess.writeAtomically(file(chunks), to: folder + "/a.png")
        chunks.insert(Chunk(kind: "tEXt", data: Array("k\u{0}v".utf8), badCRC: true), at: 1)
        try FileAccess.writeAtomically(file(chunks), to: folder + "/b.png")
        #expect(try readAll(path: folder + "/b.png") == readAll(path: folder + "/a.png"))
    }

    @Test func aFileCutInsideTheRowsOrBeforeIENDIsTruncated() throws {
        let bytes = try file(validChunks())
        let idat = try PNGCorruptInputTests.chunkCRCOffset("IDAT", in: bytes)
        // Inside the image data (IHDR ends at byte 33), inside its CRC, inside IEND.
        for cut in [33 + 8 + 10, idat - 3, idat + 2, bytes.count - 1] {
            #expect(
                try readError(Array(bytes.prefix(cut)))
                    == .truncated(path: "s.png", detail: "the data ends before the image does"),
                "cut at \(cut) of \(bytes.count)")
        }
    }

    @Test func aHeaderClaimingMoreThanTheFileCanHoldIsTruncated() throws {
        var chunks = try validChunks()
        chunks[0].data.replaceSubrange(0..<8, with: bigEndian(60000) + bigEndian(60000))
        #expect(
            try readError(file(chunks))
                == .truncated(
                    path: "s.png",
                    detail: "the header claims 60000x60000 pixels, more than its "
                        + "\(file(chunks).count) bytes can hold"))
    }

    @Test func damagedImageDataWithAValidCRCIsCorrupt() throws {
        var chunks = try validChunks()
        let index = try #require(chunks.firstIndex { $0.kind == "IDAT" })
        chunks[index].data[0] = 0x77  // not a zlib header
        guard case .corrupt(let path, _) = try readError(file(chunks)) else {
            Issue.record("damaged zlib data was not reported as corrupt")
            return
        }
        #expect(path == "s.png")
    }

    @Test func aMissingFileIsUnreadable() throws {
        do {
            _ = try PNGRowReader(path: "/nonexistent/x.png")
            Issue.record("opened a file that does not exist")
        } catch ImageIOError.unreadable(let path, let reason) {
            #expect(path == "/nonexistent/x.png" && reason.contains("No such file"))
        }
    }

    @Test func rowsPastTheEndAndInterlacedRowsAreRefused() throws {
        let folder = try temporaryFolder("rowstream")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileAccess.writeAtomically(file(validChunks()), to: folder + "/v.png")
        let reader = try PNGRowReader(path: folder + "/v.png")
        var rows = [UInt8](repeating: 0, count: reader.samplesPerRow * 31)
        #expect(throws: ImageIOError.corrupt(path: folder + "/v.png", detail: "no rows 0..<31")) {
            try rows.withUnsafeMutableBytes { try reader.read(rows: 31, into: $0.baseAddress!) }
        }
        let interlaced = try PNGRowReader(path: fixtures.path("png/rgb8-adam7.png"))
        #expect(interlaced.isInterlaced)
        #expect(throws: ImageIOError.self) {
            try rows.withUnsafeMutableBytes { try interlaced.read(rows: 1, into: $0.baseAddress!) }
        }
    }
}

extension ImageIOError {
    /// The same error naming `name` instead of its path (the crafted files live in temporary
    /// folders).
    fileprivate func withPath(_ name: String) -> ImageIOError {
        switch self {
        case .unreadable(_, let reason): .unreadable(path: name, reason: reason)
        case .isDirectory: .isDirectory(path: name)
        case .empty: .empty(path: name)
        case .notThisFormat(_, let expected): .notThisFormat(path: name, expected: expected)
        case .truncated(_, let detail): .truncated(path: name, detail: detail)
        case .crcMismatch(_, let detail): .crcMismatch(path: name, detail: detail)
        case .badHeader(_, let detail): .badHeader(path: name, detail: detail)
        case .exceedsPixelLimit(_, let detail): .exceedsPixelLimit(path: name, detail: detail)
        case .tooLarge(_, let detail): .tooLarge(path: name, detail: detail)
        case .unsupported(_, let detail): .unsupported(path: name, detail: detail)
        case .corrupt(_, let detail): .corrupt(path: name, detail: detail)
        case .outOfMemory(_, let task): .outOfMemory(path: name, task: task)
        case .writeFailed(_, let reason): .writeFailed(path: name, reason: reason)
        case .invalidImage(let detail): .invalidImage(detail)
        }
    }
}
