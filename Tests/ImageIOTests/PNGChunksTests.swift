// PNGChunksTests: the ancillary chunks (colour space, resolution, text) read from Pillow's files
// and written back byte for byte, before PLTE and IDAT, by both PNG writers.

import ConvkitTestSupport
import Foundation
import Testing

@testable import ImageIO

@Suite struct PNGChunksTests {
    struct Manifest: Decodable {
        struct File: Decodable {
            let types: [String]
            let phys: [Int]?
            let nFrames: Int?
            let defaultImage: [UInt8]?

            enum CodingKeys: String, CodingKey {
                case types, phys
                case nFrames = "n_frames"
                case defaultImage = "default_image"
            }
        }
        let files: [String: File]
    }

    static let manifest = try? fixtures.decode(Manifest.self, from: "png-chunks/chunks.json")

    /// Every chunk's type in `bytes`, in order.
    static func types(_ bytes: [UInt8]) -> [String] {
        var found = [String]()
        var at = 8
        while bytes.count - at >= 12 {
            let length = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            found.append(String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self))
            at += 12 + length
        }
        return found
    }

    @Test(arguments: ["rgb.png", "palette.png"])
    func chunksAreReadAndWrittenBackInPlace(name: String) throws {
        let file = try #require(Self.manifest?.files[name])
        let bytes = Array(try fixtures.data("png-chunks/" + name))
        let chunks = PNGChunks.read(bytes: bytes)
        let carried = file.types.filter { PNGChunks.carried.contains($0) }
        #expect(chunks.chunks.map(\.type) == carried)
        #expect(carried == ["gAMA", "cHRM", "iCCP", "tEXt", "iTXt", "pHYs"])
        let image = try PNGDecoder.decode(bytes)
        for libpngOnly in [false, true] {
            let written = try PNGEncoder.encode(
                image, options: PNGWriteOptions(libpngOnly: libpngOnly, chunks: chunks))
            #expect(try PNGDecoder.decode(written).samples == image.samples)
            #expect(PNGChunks.read(bytes: written) == chunks)
            // Colour chunks before PLTE (a palette image stays one), all before IDAT.
            let order = Self.types(written)
            let first = try #require(order.firstIndex { $0 == "PLTE" || $0 == "IDAT" })
            #expect(Set(order[..<first]).isSuperset(of: ["gAMA", "cHRM", "iCCP"]), "\(order)")
            #expect(order.firstIndex(of: "pHYs")! < order.firstIndex(of: "IDAT")!)
        }
    }

    @Test func greyDropsColourChunksAndStridesScaleTheResolution() throws {
        let file = try #require(Self.manifest?.files["rgb.png"])
        let chunks = PNGChunks.read(bytes: Array(try fixtures.data("png-chunks/rgb.png")))
        #expect(chunks.forGrey().chunks.map(\.type) == ["gAMA", "tEXt", "iTXt", "pHYs"])
        let stepped = chunks.stepped(columns: 2, rows: 3)
        let phys = try #require(stepped.chunks.first { $0.type == "pHYs" }).data
        let given = try #require(file.phys)
        func value(_ offset: Int) -> Int {
            phys[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        #expect(value(0) == (given[0] + 1) / 2 && value(4) == (given[1] + 1) / 3)
        #expect(phys[8] == UInt8(given[2]))
        #expect(chunks.stepped(columns: 1, rows: 1) == chunks)
    }

    /// A `pHYs` of unit 0 holds only the pixels' aspect ratio, here 1 : 2 (pixels twice as
    /// tall as wide): a stride of 2x3 (twice as wide, three times as tall) makes it 3 : 4.
    @Test func anAspectRatioIsKeptExactlyUnderStrides() throws {
        let aspect = PNGChunks(chunks: [.init(type: "pHYs", data: [0, 0, 0, 1, 0, 0, 0, 2, 0])])
        for (columns, rows, expected) in [(2, 2, [1, 2]), (2, 3, [3, 4]), (3, 1, [1, 6])] {
            let phys = try #require(aspect.stepped(columns: columns, rows: rows).chunks.first).data
            #expect(
                phys == [0, 0, 0, UInt8(expected[0]), 0, 0, 0, UInt8(expected[1]), 0],
                "\(columns)x\(rows)")
        }
    }

    /// An APNG (Pillow's, three frames) is read as its default image, and its frames are
    /// counted from acTL so that the commands can say the animation is not read.
    @Test func anAnimatedPNGIsCountedAndItsDefaultImageRead() throws {
        let file = try #require(Self.manifest?.files["animated.png"])
        let bytes = Array(try fixtures.data("png-chunks/animated.png"))
        #expect(PNGChunks.read(bytes: bytes).frames == file.nFrames)
        #expect(PNGChunks.read(bytes: bytes).chunks.isEmpty)
        let image = try PNGDecoder.decode(bytes)
        #expect(image.samples == .uint8(try #require(file.defaultImage)))
        let still = Array(try fixtures.data("png-chunks/rgb.png"))
        #expect(PNGChunks.read(bytes: still).frames == nil)
    }

    @Test func aChunkWithABadCRCIsNotCarried() throws {
        var bytes = Array(try fixtures.data("png-chunks/rgb.png"))
        // The gAMA chunk follows IHDR: flip a bit of its data.
        #expect(String(decoding: bytes[37..<41], as: UTF8.self) == "gAMA")
        bytes[42] ^= 1
        #expect(!PNGChunks.read(bytes: bytes).chunks.contains { $0.type == "gAMA" })
        #expect(PNGChunks.read(bytes: bytes).chunks.count == 5)
        #expect(PNGChunks.read(bytes: [1, 2, 3]) == .none)
    }
}
