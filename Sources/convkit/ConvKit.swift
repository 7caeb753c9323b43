// ConvKit: the `convkit` root command, and the one place where errors become messages and exit codes.

import ArgumentParser
import Foundation
import ImageIO

#if canImport(Glibc)
    import Glibc
#endif

@main
struct ConvKit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convkit",
        abstract: "Image convolution, learned filters and convolution-arithmetic diagrams.",
        discussion: """
            Reads and writes PNG (every colour type and bit depth) and NPY. Run
            'convkit help SUBCOMMAND' for the options of each subcommand.
            """,
        version: "0.1.0",
        subcommands: [
            Info.self, Convert.self, Kernels.self, Filter.self, Bench.self, Visualize.self,
            ReportCommand.self, Train.self, Evaluate.self, Predict.self, Export.self, Diagram.self,
        ]
    )

    /// Parses the command line and runs it. Library errors print as one line
    /// `convkit: error: FILE: reason` with exit status 1; usage errors exit with status 2.
    static func main() {
        SignalHandling.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ExitCode {
            Glibc.exit(error.rawValue)
        } catch let error as UserFacingError {
            fail(error.description, status: 1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            if code == .validationFailure {
                fail(message(for: error) + "\n" + usageString(for: error), status: 2)
            }
            fail(message(for: error), status: code.rawValue == 0 ? 1 : code.rawValue)
        }
    }

    private static func usageString(for error: Error) -> String {
        let full = fullMessage(for: error)
        guard let range = full.range(of: "Usage:") else { return "See 'convkit --help'." }
        return String(full[range.lowerBound...]).trimmingTrailingNewlines()
    }

    private static func fail(_ message: String, status: Int32) -> Never {
        printError("convkit: error: " + message)
        Glibc.exit(status)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    FileHandle.standardError.write(Data(text.utf8))
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
