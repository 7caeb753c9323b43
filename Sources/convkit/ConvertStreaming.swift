// ConvertStreaming: `convert` of a PNG over --max-pixels a band of rows at a time, so a
// gigapixel scan can be re-encoded or turned into a .npy file in a few megabytes.

import ImageIO

extension Convert {
    /// Rows read, converted and written at a time.
    static let bandRows = 256

    /// Converts the input band by band when it is a non-interlaced PNG file with more pixels
    /// than `--max-pixels` (and the output is not interlaced); returns false to leave any other
    /// input to the whole-image path. Each band goes through the same per-pixel `--gray` and
    /// `--bit-depth` conversions as the whole image; the output is 8- or 16-bit, not packed
    /// into 1/2/4 bits or a palette, which would need every pixel first.
    func convertStreamed(to format: ImageFileFormat) throws -> Bool {
        guard FileAccess.isRegularFile(input), !interlace,
            let prefix = try? FileAccess.readPrefix(input, count: 8),
            PNGDecoder.hasSignature(prefix),
            let header = try? PNGDecoder.header(path: input),
            header.width * header.height > reading.maxPixels, !header.format.interlaced
        else { return false }
        let reader = try PNGRowReader(path: input)
        let hasAlpha = header.channels == 2 || header.channels == 4
        let channels = gray ? (hasAlpha ? 2 : 1) : header.channels
        let depth = bitDepth ?? header.decodedBitDepth
        let chunks = InputFiles.chunks(of: input).forOutput(
            grey: gray, fromChannels: header.channels)
        try FileAccess.writeAtomically(to: output) { descriptor in
            let pngWriter =
                format == .png
                ? try PNGRowWriter(
                    descriptor: descriptor, path: output, width: header.width,
                    height: header.height, channels: channels, bitDepth: depth,
                    compressionLevel: png.compression, chunks: chunks) : nil
            let npyWriter =
                format == .npy
                ? try NPYRowWriter(
                    descriptor: descriptor, path: output,
                    shape: channels == 1
                        ? [header.height, header.width] : [header.height, header.width, channels],
                    dtype: depth == 16 ? "<u2" : "|u1") : nil
            var row = 0
            while row < header.height {
                let count = min(Self.bandRows, header.height - row)
                var band = try reader.readImage(rows: count)
                if gray { band = band.grayscale() }
                if let bitDepth { band = band.converted(toBitDepth: bitDepth) }
                try pngWriter?.write(band)
                try npyWriter?.write(band.samples)
                row += count
            }
        }
        return true
    }
}
