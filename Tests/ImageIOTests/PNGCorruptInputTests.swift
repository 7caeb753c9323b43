// PNGCorruptInputTests: damaged, hostile and missing input gives a typed error, never a crash.

import ConvkitSupport
import ConvkitTestSupport
import Foundation
import Testing

@testable import ImageIO

@Suite struct PNGCorruptInputTests {
    let valid: [UInt8]

    init() throws {
        valid = try FileAccess.readAll(fixtures.path("png/rgb8.png"))
    }

    @Test(arguments: [1, 8, 12, 20, 33, 40, 60, -20, -12, -1])
    func truncatedDataIsReportedAsTruncated(cut: Int) {
        let length = cut > 0 ? cut : valid.count + cut
        let bytes = Array(valid.prefix(length))
        #expect(
            throws: ImageIOError.truncated(
                path: "t.png", detail: "the data ends before the image does")
        ) {
            try PNGDecoder.decode(bytes, name: "t.png")
        }
    }

    @Test func emptyInputIsReportedAsEmpty() {
        #expect(throws: ImageIOError.empty(path: "e.png")) {
            try PNGDecoder.decode([], name: "e.png")
        }
    }

    @Test func aWrongSignatureIsNotAPNG() {
        var bytes = valid
        bytes[1] = UInt8(ascii: "Q")
        #expect(
            throws: ImageIOError.notThisFormat(
                path: "s.png", expected: "a PNG file (no PNG signature)")
        ) {
            try PNGDecoder.decode(bytes, name: "s.png")
        }
        #expect(throws: ImageIOError.self) {
            try PNGDecoder.decode(Array("GIF89a....".utf8), name: "g")
        }
    }

    @Test func aFlippedCRCIsACRCMismatch() throws {
        for chunk in ["IHDR", "IDAT"] {
            var bytes = valid
            let crcOffset = try Self.chunkCRCOffset(chunk, in: bytes)
            bytes[crcOffset] ^= 0x40
            do {
                _ = try PNGDecoder.decode(bytes, name: "c.png")
                Issue.record("a flipped \(chunk) CRC was accepted")
            } catch let error as ImageIOError {
                guard case .crcMismatch(let path, _) = error else {
                    Issue.record("expected a CRC mismatch for \(chunk), got \(error)")
                    return
                }
                #expect(path == "c.png")
            }
        }
    }

    @Test func impossibleHeadersAreBadHeaders() throws {
        for (width, height, depth, colorType) in [
            (0, 5, 8, 2), (5, 0, 8, 2), (5, 5, 7, 2), (5, 5, 8, 5), (5, 5, 1, 2),
            (0x8000_0000, 1, 8, 0),
        ] {
            let bytes = Self.png(
                width: UInt32(width), height: UInt32(height), depth: UInt8(depth),
                colorType: UInt8(colorType))
            do {
                _ = try PNGDecoder.decode(bytes, name: "h.png")
                Issue.record("accepted IHDR \(width)x\(height) depth \(depth) type \(colorType)")
            } catch let error as ImageIOError {
                guard case .badHeader = error else {
                    Issue.record(
                        "IHDR \(width)x\(height) depth \(depth) type \(colorType): expected bad header, got \(error)"
                    )
                    return
                }
            }
        }
    }

    @Test func aHugeImageIsRefusedBeforeAllocation() throws {
        // 65535 x 65535 RGBA16 would need 32 GiB: the pixel limit must refuse it up front.
        let bomb = Self.png(width: 65535, height: 65535, depth: 16, colorType: 6)
        #expect(throws: ImageIOError.self) { try PNGDecoder.decode(bomb, name: "bomb.png") }
        do {
            _ = try PNGDecoder.decode(bomb, name: "bomb.png")
        } catch ImageIOError.exceedsPixelLimit(let path, let detail) {
            #expect(path == "bomb.png")
            #expect(detail.contains("65535x65535"))
        }
        // The limit is configurable in both directions.
        #expect(throws: ImageIOError.self) {
            try PNGDecoder.decode(valid, name: "v.png", maxPixels: 34)
        }
        #expect(throws: Never.self) { try PNGDecoder.decode(valid, name: "v.png", maxPixels: 35) }
    }

    @Test func aHeaderClaimingMoreThanItsBytesCanInflateToIsRefusedWhateverTheLimit() throws {
        // 65536 x 65536 RGBA16 is 32 GiB of pixels; a 70-byte file cannot inflate to that.
        let bomb = Self.png(width: 65536, height: 65536, depth: 16, colorType: 6)
        do {
            _ = try PNGDecoder.decode(bomb, name: "bomb.png", maxPixels: Int.max)
            Issue.record("a 32 GiB claim in \(bomb.count) bytes was accepted")
        } catch ImageIOError.truncated(let path, let detail) {
            #expect(path == "bomb.png")
            #expect(detail.contains("65536x65536"))
        }
    }

    @Test func aCompressionBombGetsAnErrorNotAnOutOfMemoryKill() throws {
        // 30000 x 30000 grey zeros deflate to under 1 MB but would decode to 900 MB.
        let rows = [UInt8](repeating: 0, count: 30001)
        var compressedRows = [UInt8]()
        // A real stream is not needed: the size check comes first.
        for _ in 0..<30 { compressedRows += rows }
        let bytes = Self.png(
            width: 30000, height: 30000, depth: 8, colorType: 0, idat: compressedRows)
        #expect(throws: ImageIOError.self) { try PNGDecoder.decode(bytes, name: "zip-bomb.png") }
    }

    @Test func pathsThatAreNotReadableFilesAreNamed() throws {
        #expect(throws: ImageIOError.isDirectory(path: NSTemporaryDirectory())) {
            try PNGDecoder.read(path: NSTemporaryDirectory())
        }
        do {
            _ = try PNGDecoder.read(path: "/nonexistent/x.png")
            Issue.record("read a file that does not exist")
        } catch ImageIOError.unreadable(let path, let reason) {
            #expect(path == "/nonexistent/x.png")
            #expect(reason.contains("No such file"))
        }
    }

    /// Decodes `bytes`; an image or an ImageIOError that names `name` and is one a damaged
    /// file can get passes, anything else is recorded. Returns the error's kind, "read" for an
    /// image.
    private func decodeSafely(_ bytes: [UInt8], name: String) -> String {
        do {
            let image = try PNGDecoder.decode(bytes, name: name)
            #expect(image.width > 0 && image.height > 0 && image.samples.count > 0)
            return "read"
        } catch let error as ImageIOError {
            switch error {
            case .notThisFormat(let path, _): return path == name ? "not a PNG" : "\(error)"
            case .truncated(let path, _): return path == name ? "truncated" : "\(error)"
            case .crcMismatch(let path, _): return path == name ? "CRC" : "\(error)"
            case .badHeader(let path, _): return path == name ? "header" : "\(error)"
            case .tooLarge(let path, _): return path == name ? "too large" : "\(error)"
            case .unsupported(let path, _): return path == name ? "unsupported" : "\(error)"
            case .corrupt(let path, _): return path == name ? "corrupt" : "\(error)"
            default:
                Issue.record("damaged input got \(error)")
                return "\(error)"
            }
        } catch {
            Issue.record("damaged input threw \(type(of: error)): \(error)")
            return "\(error)"
        }
    }

    @Test func randomDamageGetsAnImageOrATypedError() throws {
        var generator = SeededGenerator(seed: 7)
        var kinds = [String: Int]()
        for fixture in PNGFixtures.cases {
            let original = try FileAccess.readAll(fixtures.path("png/\(fixture.name).png"))
            for _ in 0..<20 {
                var bytes = original
                let flips = Int(generator.next() % 4) + 1
                for _ in 0..<flips {
                    let index = Int(generator.next() % UInt64(bytes.count))
                    bytes[index] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
                }
                kinds[decodeSafely(bytes, name: "fuzz.png"), default: 0] += 1
            }
        }
        let known: Set = [
            "read", "not a PNG", "truncated", "CRC", "header", "too large", "unsupported",
            "corrupt",
        ]
        #expect(Set(kinds.keys).isSubset(of: known), "\(kinds)")
        // Random flips mostly land in CRC-covered bytes: most files must be refused as such.
        #expect(kinds["CRC", default: 0] > kinds.values.reduce(0, +) / 2, "\(kinds)")
    }

    // MARK: - Building PNGs by hand

    static func chunkCRCOffset(_ kind: String, in bytes: [UInt8]) throws -> Int {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2])
                << 8 | Int(bytes[offset + 3])
            if String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self) == kind {
                return offset + 8 + length
            }
            offset += 12 + length
        }
        throw ImageIOError.corrupt(path: "fixture", detail: "no \(kind) chunk")
    }

    static func png(
        width: UInt32, height: UInt32, depth: UInt8, colorType: UInt8,
        idat: [UInt8] = [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
    ) -> [UInt8] {
        func bigEndian(_ value: UInt32) -> [UInt8] {
            [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
        }
        func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(kind.utf8) + data
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
        }
        let ihdr = bigEndian(width) + bigEndian(height) + [depth, colorType, 0, 0, 0]
        return [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", ihdr) + chunk("IDAT", idat)
            + chunk("IEND", [])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
