// PNGChunks: the ancillary chunks a re-encoded or filtered PNG carries over from its input:
// colour space, physical pixel size and text.

import CZlibSystem

/// Ancillary chunks of a PNG that describe its pixels rather than hold them, kept when convkit
/// writes a PNG made from another: the colour space (`iCCP`, `sRGB`, `gAMA`, `cHRM`), without
/// which a colour-managed viewer shows other colours; the physical size of a pixel (`pHYs`), a
/// scan's resolution; and text (`tEXt`, `zTXt`, `iTXt`). Read from the chunks before the image
/// data, each kept only if its CRC matches.
public struct PNGChunks: Sendable, Equatable {
    /// One chunk: its four-letter type and its data.
    public struct Chunk: Sendable, Equatable {
        public var type: String
        public var data: [UInt8]
    }

    /// The chunks in file order.
    public var chunks: [Chunk]

    /// The frames an animated PNG (APNG) declares in its `acTL` chunk; nil for a still image.
    /// convkit reads an APNG's default image, as a viewer without APNG support shows it.
    public var frames: Int? = nil

    /// No chunks.
    public static let none = PNGChunks(chunks: [])

    /// The chunk types carried over.
    public static let carried: Set = [
        "iCCP", "sRGB", "gAMA", "cHRM", "pHYs", "tEXt", "zTXt", "iTXt",
    ]

    /// The chunks that describe colour as red, green and blue, which a grey image cannot use.
    static let colourOnly: Set = ["iCCP", "cHRM"]

    /// The carried chunks before the first `IDAT` of the PNG file at `path`; none for a file
    /// that is not a PNG or cannot be read (the pixels' reading reports that).
    public static func read(path: String) -> PNGChunks {
        // The first 64 KiB hold the chunks before the image data of most files; a larger ICC
        // profile or text is read with up to 16 MiB.
        for count in [1 << 16, 1 << 24] {
            guard path != "-", let prefix = try? FileAccess.readPrefix(path, count: count) else {
                return .none
            }
            let (chunks, complete) = read(prefix: prefix)
            if complete || prefix.count < count { return chunks }
        }
        return .none
    }

    /// The carried chunks before the first `IDAT` of PNG `bytes` (which may stop early).
    public static func read(bytes: [UInt8]) -> PNGChunks { read(prefix: bytes).chunks }

    /// The carried chunks in `bytes`, and whether they reach the first `IDAT`.
    private static func read(prefix bytes: [UInt8]) -> (chunks: PNGChunks, complete: Bool) {
        guard PNGDecoder.hasSignature(bytes) else { return (.none, true) }
        var found = PNGChunks.none
        var at = 8
        while bytes.count - at >= 12 {
            let length = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            if type == "IDAT" { return (found, true) }
            guard length <= bytes.count - at - 12 else { break }
            // Only the chunks kept, and the animation control that counts an APNG's frames,
            // are copied and checked.
            guard carried.contains(type) || type == "acTL" else {
                at += 12 + length
                continue
            }
            let data = Array(bytes[(at + 8)..<(at + 8 + length)])
            let stored = bytes[(at + 8 + length)..<(at + 12 + length)].reduce(UInt32(0)) {
                $0 << 8 | UInt32($1)
            }
            if crc(type: bytes[(at + 4)..<(at + 8)], data) == stored {
                if carried.contains(type) { found.chunks.append(Chunk(type: type, data: data)) }
                if type == "acTL", data.count == 8 {
                    found.frames = data[0..<4].reduce(0) { $0 << 8 | Int($1) }
                }
            }
            at += 12 + length
        }
        return (found, false)
    }

    /// The chunks for a grey image made from a colour one: without the ICC profile and
    /// chromaticities, which describe red, green and blue.
    public func forGrey() -> PNGChunks {
        PNGChunks(chunks: chunks.filter { !Self.colourOnly.contains($0.type) })
    }

    /// The chunks for a PNG made from the image these came with, which had `channels`: without
    /// the colour chunks when `grey` makes a colour image grey, and with `pHYs` divided by a
    /// filter's steps of `columns` and `rows` pixels.
    public func forOutput(grey: Bool, fromChannels channels: Int, columns: Int = 1, rows: Int = 1)
        -> PNGChunks
    {
        (grey && channels >= 3 ? forGrey() : self).stepped(columns: columns, rows: rows)
    }

    /// The chunks for an image whose pixels step `columns` and `rows` pixels of the input (a
    /// filter's stride): the pixels per metre of `pHYs` divided by the steps, rounded; a `pHYs`
    /// of unit 0 gives only the pixels' aspect ratio, which is kept exactly (x * rows : y *
    /// columns, in lowest terms).
    public func stepped(columns: Int, rows: Int) -> PNGChunks {
        guard columns != 1 || rows != 1 else { return self }
        return PNGChunks(
            chunks: chunks.map { chunk in
                guard chunk.type == "pHYs", chunk.data.count == 9 else { return chunk }
                func value(_ offset: Int) -> Int {
                    chunk.data[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
                }
                func bytes(_ value: Int) -> [UInt8] {
                    (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
                }
                let (x, y): (Int, Int)
                if chunk.data[8] == 0 {
                    (x, y) = aspectRatio(value(0) * rows, value(4) * columns)
                } else {
                    x = max(1, (value(0) + columns / 2) / columns)
                    y = max(1, (value(4) + rows / 2) / rows)
                }
                return Chunk(type: "pHYs", data: bytes(x) + bytes(y) + [chunk.data[8]])
            })
    }

    /// `x : y` in lowest terms, scaled down (rounded) until both fit a `pHYs` field (2^31 - 1).
    private func aspectRatio(_ x: Int, _ y: Int) -> (Int, Int) {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let common = max(1, gcd(x, y))
        var (x, y) = (x / common, y / common)
        let limit = Int(Int32.max)
        if max(x, y) > limit {
            let scale = Double(max(x, y)) / Double(limit)
            (x, y) = (max(1, Int(Double(x) / scale)), max(1, Int(Double(y) / scale)))
        }
        return (x, y)
    }

    /// Each chunk as its 4-byte big-endian length, type and data, as cpng writes them.
    var serialized: [UInt8] {
        chunks.flatMap { chunk in
            (0..<4).map { UInt8(truncatingIfNeeded: chunk.data.count >> (24 - 8 * $0)) }
                + Array(chunk.type.utf8) + chunk.data
        }
    }

    private static func crc(type: ArraySlice<UInt8>, _ data: [UInt8]) -> UInt32 {
        var value = type.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
        value = data.withUnsafeBufferPointer { crc32(value, $0.baseAddress, UInt32($0.count)) }
        return UInt32(truncatingIfNeeded: value)
    }
}
