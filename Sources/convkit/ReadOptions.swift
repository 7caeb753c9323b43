// ReadOptions: options shared by every subcommand that reads images.

import ArgumentParser
import ImageIO

struct ReadOptions: ParsableArguments {
    @Option(
        valueHelp:
            "Refuse images with more pixels than this (width x height), checked before decoding.",
        valueName: "N")
    var maxPixels: Int = PNGDecoder.defaultMaxPixels

    func validate() throws {
        guard maxPixels > 0 else {
            throw ValidationError("--max-pixels must be positive, got \(maxPixels)")
        }
    }
}
