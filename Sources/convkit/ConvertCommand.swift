// `convkit convert`: PNG to PNG or NPY, with grey conversion, bit depth and compression.

import ArgumentParser
import ImageIO

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert an image between PNG and NPY, or re-encode a PNG.",
        usage: "convkit convert <in> <out> [<options>]",
        discussion: """
            Reads PNG (any colour type and bit depth) and NPY images (uint8 or uint16, shape \
            (H, W) or (H, W, C) with C from 1 to 4); a float array has no sample range, so \
            'convkit filter ARRAY.npy --kernel identity --range normalize -o OUT.png' maps it \
            to an image instead. The output format follows OUT's extension (.png or .npy; '-' \
            writes PNG, or --format npy, to standard output). The output is written to a \
            temporary file and renamed into place, so a failed or interrupted conversion leaves \
            any existing OUT untouched; OUT may be IN. Without --bit-depth a PNG keeps its bit \
            depth, including 1/2/4-bit grey and palette images when their pixels allow it, and \
            its colour space, resolution and text chunks (--gray drops the ICC profile and \
            chromaticities of a colour image). A PNG with more pixels than --max-pixels (not \
            interlaced) is converted a band of rows at a time, into an 8- or 16-bit file.

            Examples:
              convkit convert photo.png photo.npy
              convkit convert photo.png grey16.png --gray --bit-depth 16
              convkit convert in.png out.png --compression 9 --interlace
              convkit convert big.png - | other-tool
            """
    )

    @Argument(
        help: ArgumentHelp("Input PNG or NPY file ('-' for standard input).", valueName: "in"))
    var input: String

    @Argument(
        help: ArgumentHelp("Output file: .png or .npy ('-' for standard output).", valueName: "out")
    )
    var output: String

    @Flag(
        help: "Convert colour to grey (ITU-R BT.601 luma, as Pillow's convert('L')); alpha is kept."
    )
    var gray = false

    @Option(
        valueHelp: "Bits per sample of the output: 8 or 16 (default: as the input).",
        valueName: "bits")
    var bitDepth: Int?

    @OptionGroup var png: CompressionOption

    @Flag(help: "Write an Adam7-interlaced PNG.")
    var interlace = false

    @Option(help: "Format written to '-' (default: png; a file's extension decides).")
    var format: ImageFileFormat?

    @OptionGroup var reading: ReadOptions

    func validate() throws {
        if let bitDepth, bitDepth != 8, bitDepth != 16 {
            throw ValidationError("--bit-depth must be 8 or 16, got \(bitDepth)")
        }
        if try outputFormat() == .npy {
            if interlace {
                throw ValidationError(
                    "--interlace is for PNG output; .npy output has no interlacing")
            }
            try png.requireNotGiven(for: ".npy output")
        }
    }

    /// The output's format: its extension's, or for '-' --format's.
    private func outputFormat() throws -> ImageFileFormat {
        if output == "-" { return format ?? .png }
        let named = try OutputPaths.format(
            of: output, among: ImageFileFormat.allCases, what: "convert's output")
        if let format, format != named {
            throw ValidationError(
                "--format \(format.rawValue) contradicts the output name \(output)")
        }
        return named
    }

    func run() throws {
        if try convertStreamed(to: outputFormat()) { return }
        var (image, chunks) = try InputFiles.image(input, maxPixels: reading.maxPixels)
        chunks = chunks.forOutput(grey: gray, fromChannels: image.channels)
        if gray { image = image.grayscale() }
        if let bitDepth { image = image.converted(toBitDepth: bitDepth) }
        switch try outputFormat() {
        case .npy: try NPY.write(image.npyArray(), to: output)
        case .png:
            let options = PNGWriteOptions(
                bitDepth: nil, compressionLevel: png.compression, interlaced: interlace,
                chunks: chunks)
            try PNGEncoder.write(image, to: output, options: options)
        }
    }
}
