// `convkit manifest`: reading the JSON-lines manifests that `filter --manifest` appends to.

import ArgumentParser
import Foundation

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Read the manifests that 'convkit filter --manifest' writes.",
        subcommands: [Summary.self])

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge manifests: inputs ok, failed and listed twice, pixels and seconds.",
            discussion: """
                An input (by its path) is ok if any line says so and failed if none does; one \
                named by more than one line is a duplicate (overlapping shards, or a rerun \
                without --skip-existing). Seconds are summed over lines, not wall-clock time.

                Example:
                  convkit manifest summary shard-*.jsonl --json
                """)

        @Argument(help: ArgumentHelp("Manifest files (JSON lines).", valueName: "manifest"))
        var manifests: [String]

        @Flag(help: "Print the summary as one JSON object.")
        var json = false

        func run() throws {
            let summary = try ManifestSummary.read(manifests)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(summary.text)
            }
        }
    }
}
