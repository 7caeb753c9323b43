// CompressionOption: the PNG deflate level of the commands that write PNG files.

import ArgumentParser
import ImageIO

/// `--compression LEVEL`, 0 to 9, default `PNGWriteOptions.defaultCompressionLevel`.
struct CompressionOption: ParsableArguments {
    @Option(
        name: .customLong("compression"),
        valueHelp:
            "PNG deflate level (libdeflate), 0 (fastest) to 9 (smallest) (default: \(PNGWriteOptions.defaultCompressionLevel)).",
        valueName: "level")
    var given: Int?

    /// The level to write PNG files at: the one given, else the default.
    var compression: Int { given ?? PNGWriteOptions.defaultCompressionLevel }

    func validate() throws {
        if let given, !(0...9).contains(given) {
            throw ValidationError("--compression must be 0 to 9, got \(given)")
        }
    }

    /// Refuses a level given for output that is not PNG (`what` names it, e.g. ".npy output").
    func requireNotGiven(for what: String) throws {
        if given != nil {
            throw ValidationError(
                "--compression sets the deflate level of PNG output; \(what) is not compressed")
        }
    }
}
