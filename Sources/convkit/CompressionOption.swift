// CompressionOption: the PNG deflate level of the commands that write PNG files.

import ArgumentParser
import ImageIO

/// `--compression LEVEL`, 0 to 9, default `PNGWriteOptions.defaultCompressionLevel`.
struct CompressionOption: ParsableArguments {
    @Option(
        valueHelp: "PNG deflate level (libdeflate), 0 (fastest) to 9 (smallest).",
        valueName: "level")
    var compression = PNGWriteOptions.defaultCompressionLevel

    func validate() throws {
        guard (0...9).contains(compression) else {
            throw ValidationError("--compression must be 0 to 9, got \(compression)")
        }
    }
}
