// CLIRunner: runs the built `convkit` binary as a separate process and captures what it prints.

import ConvkitTestSupport
import Foundation

/// The result of one `convkit` run.
struct CLIResult {
    let status: Int32
    let stdout: Data
    let stderr: String
    var output: String { String(decoding: stdout, as: UTF8.self) }
}

enum CLI {
    /// The `convkit` executable built next to the running test bundle.
    static var executable: String {
        let testBinary =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        // The test executable may sit inside a .xctest bundle folder.
        while !FileManager.default.isExecutableFile(
            atPath: folder.appendingPathComponent("convkit").path), folder.path != "/"
        {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("convkit").path
    }

    /// The package's root folder (for samples/ and filters/).
    static var packageRoot: String { ConvkitTestSupport.packageRoot }

    /// Runs `convkit` with `arguments`, optionally feeding `input` on standard input, from
    /// `directory` (default: the package root), through `/bin/sh -c` when `shellPrefix` is set
    /// (e.g. "ulimit -f 8;"), with `environment` added to this process's.
    @discardableResult
    static func run(
        _ arguments: [String], input: Data? = nil, in directory: String? = nil,
        shellPrefix: String? = nil, environment: [String: String] = [:]
    ) throws -> CLIResult {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) {
                $1
            }
        }
        if let shellPrefix {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            let quoted = ([executable] + arguments).map {
                "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
            }
            process.arguments = ["-c", shellPrefix + " exec " + quoted.joined(separator: " ")]
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? packageRoot)
        // Standard input and error go through files, so only standard output needs a pipe reader.
        let scratch = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let inputPath = scratch + "/stdin"
        let errorPath = scratch + "/stderr"
        _ = FileManager.default.createFile(atPath: inputPath, contents: input ?? Data())
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data()
        return CLIResult(
            status: process.terminationStatus, stdout: outData,
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh empty folder under the system's temporary folder.
    static func temporaryFolder() throws -> String { try ConvkitTestSupport.temporaryFolder("cli") }
}
