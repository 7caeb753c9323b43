// ConvKit: the `convkit` root command, and the one place where errors become messages and exit codes.
//
// Every command declares its options one by one with swift-argument-parser's property wrappers,
// so option declarations of different commands share their shape line for line; an option whose
// value may start with '-' is declared once as `@Option(valueHelp:valueName:)` (ValueOptions),
// and options that several commands take alike are option groups (ModelSourceOptions,
// DatasetOptions, DigitInput, ReadOptions, CompressionOption, WorkerThreads).

import ArgumentParser
import ConvkitSupport
import Convolution
import Foundation
import ImageIO
import LearnedFilters

#if canImport(Glibc)
    import Glibc
#endif

@main
struct ConvKit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convkit",
        abstract: "Image convolution, learned filters and convolution-arithmetic diagrams.",
        discussion: """
            Reads and writes PNG (every colour type and bit depth) and NPY. Sizes are written \
            width x height everywhere (512x384 is 512 pixels wide). Run 'convkit help \
            SUBCOMMAND' for the options and examples of each subcommand.

            Exit status: 0 done, 1 failed (a one-line message names the file and the reason), \
            2 command-line mistake, 130 interrupted.
            """,
        version: "0.1.0",
        subcommands: [
            Info.self, Convert.self, Kernels.self, Filter.self, Bench.self, Visualize.self,
            ReportCommand.self, Train.self, Evaluate.self, Predict.self, Export.self, Diagram.self,
            ManifestCommand.self,
        ]
    )

    /// Parses the command line and runs it. Every failure prints one line on standard error:
    /// `convkit: error: FILE: reason` with exit status 1, or for a command-line mistake the
    /// mistake and where to read about it, with exit status 2. A closed pipe on standard output
    /// ends the run quietly with 141, as a shell expects of a process killed by SIGPIPE.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        BLASCore.runOnCallingThread()
        FreedMemory.keep()
        BLASCoreRestart.restartIfSlowerKernels(arguments: arguments)
        SignalHandling.install()
        let path = CommandPath.known(in: arguments)
        do {
            try CommandPath.check(arguments)
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as ExitCode {
            Glibc.exit(error.rawValue)
        } catch let error as UserFacingError {
            if isClosedStandardOutput(error) { Glibc.exit(141) }
            fail(presented(error), status: 1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            if code == .validationFailure {
                do {
                    try UnknownOptions.check(arguments, path: path)
                } catch {
                    failUsage(message(for: error), path: path)
                }
                failUsage(message(for: error), path: path)
            }
            fail(message(for: error), status: code.rawValue == 0 ? 1 : code.rawValue)
        }
    }

    /// A command-line mistake: the message and the help to read, on one line, status 2.
    private static func failUsage(_ message: String, path: [String]) -> Never {
        let command = (["convkit"] + path).joined(separator: " ")
        fail("\(message) (see '\(command) --help')", status: 2)
    }

    private static func fail(_ message: String, status: Int32) -> Never {
        printError("convkit: error: " + oneLine(message))
        Glibc.exit(status)
    }

    /// Whether a write failed because standard output is a pipe whose reader has gone.
    private static func isClosedStandardOutput(_ error: Error) -> Bool {
        guard case ImageIOError.writeFailed(let path, let reason) = error else { return false }
        return path == "-" && reason == String(cString: strerror(EPIPE))
    }
}

/// A message as one line: control characters escaped, and `-` named in words (standard input or
/// output) where a message starts with the file it concerns.
func oneLine(_ message: String) -> String {
    var text = message
    if text.hasPrefix("-: ") {
        let rest = text.dropFirst(3)
        text = (rest.hasPrefix("cannot write") ? "standard output: " : "standard input: ") + rest
    }
    return escapedForMessage(text, limit: Int.max, keepBackslashes: true)
}

/// Writes one line to standard error.
func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    FileHandle.standardError.write(Data(text.utf8))
}
