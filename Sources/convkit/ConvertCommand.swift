// `convkit convert`: PNG to PNG or NPY, with grey conversion, bit depth and compression.

import ArgumentParser
import ImageIO

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert an image between PNG and NPY, or re-encode a PNG.",
        discussion: """
            The output format follows OUT's extension (.png or .npy; '-' writes PNG to standard
            output). The output is written to a temporary file and renamed into place, so a
            failed or interrupted conversion leaves any existing OUT untouched; OUT may be IN.
            Without --bit-depth a PNG keeps its bit depth, including 1/2/4-bit grey and
            palette images when their pixels allow it.
            """
    )

    @Argument(help: "Input PNG or NPY file ('-' for standard input).")
    var input: String

    @Argument(help: "Output file: .png or .npy ('-' for PNG on standard output).")
    var output: String

    @Flag(
        name: .long,
        help: "Convert colour to grey (ITU-R BT.601 luma, as Pillow's convert('L')); alpha is kept."
    )
    var gray = false

    @Option(name: .long, help: "Bits per sample of the output: 8 or 16 (default: as the input).")
    var bitDepth: Int?

    @Option(name: .long, help: "PNG zlib compression level, 0 (fastest) to 9 (smallest).")
    var compression = 6

    @Flag(name: .long, help: "Write an Adam7-interlaced PNG.")
    var interlace = false

    @OptionGroup var reading: ReadOptions

    func validate() throws {
        if let bitDepth, bitDepth != 8, bitDepth != 16 {
            throw ValidationError("--bit-depth must be 8 or 16, got \(bitDepth)")
        }
        guard (0...9).contains(compression) else {
            throw ValidationError("--compression must be 0 to 9, got \(compression)")
        }
    }

    func run() throws {
        var image = try ImageFile.read(path: input, maxPixels: reading.maxPixels)
        if gray { image = image.grayscale() }
        if let bitDepth { image = image.converted(toBitDepth: bitDepth) }
        let options = PNGWriteOptions(
            bitDepth: nil, compressionLevel: compression, interlaced: interlace)
        try ImageFile.write(image, to: output, options: options)
    }
}
