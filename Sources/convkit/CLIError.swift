// CLIError: failures the command line itself detects, printed as `convkit: error: ...`.

/// A command-line failure with its one-line message (without the `convkit: error:` prefix).
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
