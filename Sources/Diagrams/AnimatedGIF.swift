// AnimatedGIF: encodes frames as a looping GIF89a through giflib, each frame storing only the
// rectangle that changed, with a palette made from that rectangle's own colours.

import CGIF
import ImageIO

/// An animated GIF being encoded, one frame at a time.
///
/// Create it with the frame size and delay, ``append(_:)`` frames, then ``finish()``. The
/// animation loops forever (NETSCAPE2.0 application extension).
package final class AnimatedGIF {
    package let width: Int
    package let height: Int
    /// Hundredths of a second each frame is shown.
    package let delay: Int
    private let sink = GIFSink()
    private let gif: UnsafeMutablePointer<GifFileType>
    private var previous: [UInt32]?
    private var closed = false

    package init(width: Int, height: Int, delay: Int) throws {
        guard (1...65535).contains(width), (1...65535).contains(height) else {
            throw DiagramError.invalid(
                "GIF frames are 1 to 65535 pixels a side, got \(width)x\(height)")
        }
        guard (0...65535).contains(delay) else {
            throw DiagramError.invalid("delay must be 0 to 65535 hundredths of a second")
        }
        self.width = width
        self.height = height
        self.delay = delay
        var status: Int32 = 0
        guard let gif = EGifOpen(Unmanaged.passUnretained(sink).toOpaque(), writeToSink, &status)
        else {
            throw AnimatedGIF.gifError(status)
        }
        self.gif = gif
        EGifSetGifVersion(gif, true)
    }

    deinit {
        if !closed {
            var status: Int32 = 0
            EGifCloseFile(gif, &status)
        }
    }

    /// Adds a frame of `width * height` pixels given as `0xRRGGBB`, row by row. Only the
    /// rectangle that differs from the previous frame is stored, with its own palette.
    package func append(pixels: [UInt32]) throws {
        guard !closed else { throw DiagramError.invalid("the animation is already finished") }
        guard pixels.count == width * height else {
            throw DiagramError.invalid(
                "a \(width)x\(height) frame needs \(width * height) pixels, got \(pixels.count)")
        }
        if let previous {
            let region = AnimatedGIF.changedRegion(
                from: previous, to: pixels, width: width, height: height)
            let indexed = Palette.index(AnimatedGIF.crop(pixels, width: width, region: region))
            try putFrame(indexed: indexed, region: region, local: true)
        } else {
            // The first frame's palette is the global one; later frames carry their own.
            let indexed = Palette.index(pixels)
            try AnimatedGIF.withColorMap(indexed.palette) { map in
                try check(EGifPutScreenDesc(gif, Int32(width), Int32(height), 8, 0, map))
            }
            try putLoopExtension()
            try putFrame(indexed: indexed, region: (0, 0, width, height), local: false)
        }
        previous = pixels
    }

    /// Adds a frame given as an image of the animation's size (grey or RGB; alpha ignored).
    package func append(_ image: Image) throws {
        guard image.width == width, image.height == height else {
            throw DiagramError.invalid(
                "every frame must be \(width)x\(height), got \(image.width)x\(image.height)")
        }
        try append(pixels: AnimatedGIF.packed(image))
    }

    /// Ends the animation and returns the GIF file's bytes.
    package func finish() throws -> [UInt8] {
        guard !closed else { throw DiagramError.invalid("the animation is already finished") }
        guard previous != nil else {
            throw DiagramError.invalid("an animation needs at least one frame")
        }
        closed = true
        var status: Int32 = 0
        guard EGifCloseFile(gif, &status) == GIF_OK else { throw AnimatedGIF.gifError(status) }
        return sink.bytes
    }

    // MARK: Frames

    typealias Region = (x: Int, y: Int, width: Int, height: Int)

    /// Pixels as `0xRRGGBB`.
    static func packed(_ image: Image) -> [UInt32] {
        let eight = image.converted(toBitDepth: 8)
        guard case .uint8(let samples) = eight.samples else { return [] }
        let channels = image.channels
        return (0..<(image.width * image.height)).map { pixel in
            let base = pixel * channels
            if channels < 3 {
                let grey = UInt32(samples[base])
                return grey << 16 | grey << 8 | grey
            }
            return UInt32(samples[base]) << 16 | UInt32(samples[base + 1]) << 8
                | UInt32(samples[base + 2])
        }
    }

    /// The smallest rectangle holding every pixel that differs (1x1 when none does).
    static func changedRegion(from old: [UInt32], to new: [UInt32], width: Int, height: Int)
        -> Region
    {
        var minX = width
        var minY = height
        var maxX = -1
        var maxY = -1
        for y in 0..<height {
            let row = y * width
            for x in 0..<width where old[row + x] != new[row + x] {
                minX = min(minX, x)
                maxX = max(maxX, x)
                minY = min(minY, y)
                maxY = max(maxY, y)
            }
        }
        guard maxX >= 0 else { return (0, 0, 1, 1) }
        return (minX, minY, maxX - minX + 1, maxY - minY + 1)
    }

    static func crop(_ pixels: [UInt32], width: Int, region: Region) -> [UInt32] {
        var out = [UInt32]()
        out.reserveCapacity(region.width * region.height)
        for y in region.y..<(region.y + region.height) {
            out.append(
                contentsOf: pixels[(y * width + region.x)..<(y * width + region.x + region.width)])
        }
        return out
    }

    // MARK: giflib

    private func putFrame(indexed: IndexedPicture, region: Region, local: Bool) throws {
        var control = GraphicsControlBlock(
            DisposalMode: Int32(DISPOSE_DO_NOT), UserInputFlag: false,
            DelayTime: Int32(delay), TransparentColor: Int32(NO_TRANSPARENT_COLOR))
        var extensionBytes = [UInt8](repeating: 0, count: 4)
        let length = EGifGCBToExtension(&control, &extensionBytes)
        try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(length), extensionBytes))
        let describe = { (map: UnsafePointer<ColorMapObject>?) throws in
            try self.check(
                EGifPutImageDesc(
                    self.gif, Int32(region.x), Int32(region.y), Int32(region.width),
                    Int32(region.height), false, map))
        }
        if local {
            try AnimatedGIF.withColorMap(indexed.palette) { try describe($0) }
        } else {
            try describe(nil)
        }
        var indices = indexed.indices
        try check(EGifPutLine(gif, &indices, Int32(indices.count)))
    }

    /// Loop forever: the NETSCAPE2.0 application extension with a loop count of 0.
    private func putLoopExtension() throws {
        try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE))
        try check(EGifPutExtensionBlock(gif, 11, Array("NETSCAPE2.0".utf8)))
        try check(EGifPutExtensionBlock(gif, 3, [1, 0, 0] as [UInt8]))
        try check(EGifPutExtensionTrailer(gif))
    }

    /// Calls `body` with a giflib colour map of `palette`, padded to a power of two.
    private static func withColorMap(
        _ palette: [UInt32], _ body: (UnsafePointer<ColorMapObject>) throws -> Void
    ) throws {
        var size = 2
        while size < palette.count { size *= 2 }
        var colours = palette.map {
            GifColorType(
                Red: UInt8($0 >> 16 & 0xFF), Green: UInt8($0 >> 8 & 0xFF), Blue: UInt8($0 & 0xFF))
        }
        colours += Array(
            repeating: GifColorType(Red: 0, Green: 0, Blue: 0), count: size - colours.count)
        guard let map = GifMakeMapObject(Int32(size), colours) else {
            throw DiagramError.invalid("giflib: out of memory")
        }
        defer { GifFreeMapObject(map) }
        try body(map)
    }

    private func check(_ result: Int32) throws {
        guard result == GIF_OK else { throw AnimatedGIF.gifError(gif.pointee.Error) }
    }

    private static func gifError(_ code: Int32) -> DiagramError {
        let text = GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"
        return DiagramError.invalid("giflib: \(text)")
    }
}

/// Collects the bytes giflib writes.
private final class GIFSink {
    var bytes = [UInt8]()
}

/// giflib's output callback: appends to the ``GIFSink`` stored as the file's user data.
private func writeToSink(
    _ file: UnsafeMutablePointer<GifFileType>?, _ data: UnsafePointer<GifByteType>?, _ length: Int32
) -> Int32 {
    guard let file, let data, let user = file.pointee.UserData else { return 0 }
    let sink = Unmanaged<GIFSink>.fromOpaque(user).takeUnretainedValue()
    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    return length
}
