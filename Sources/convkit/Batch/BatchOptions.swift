// BatchOptions: the options of `filter` that spread a batch over folders, lists and shards, and
// record what was done.

import ArgumentParser
import Foundation

struct BatchOptions: ParsableArguments {
    @Flag(
        help: "Walk folder inputs through every subfolder, mirroring the tree in the output folder."
    )
    var recursive = false

    @Option(
        help: ArgumentHelp(
            "Also filter the files named in LIST, one a line ('-' for standard input); relative paths start from the current folder.",
            valueName: "list"))
    var filesFrom: String?

    @Flag(
        help:
            "Read --files-from LIST as names ended by NUL bytes, not lines (as 'find -print0' and 'xargs -0' write and read them), so that names may hold line breaks."
    )
    var null = false

    @Option(
        help: ArgumentHelp(
            "Run only shard K of N (0 to N-1) of the inputs, by a fixed hash of each one's path; auto reads Slurm's array task, auto/N Kubernetes' JOB_COMPLETION_INDEX.",
            valueName: "K/N|auto|auto/N"))
    var shard: ShardArgument?

    @Option(
        help: ArgumentHelp(
            "Append one JSON line per finished input to FILE (safe for concurrent shards).",
            valueName: "file.jsonl"))
    var manifest: String?

    /// The inputs named in `--files-from`, after those on the command line.
    func inputs(after arguments: [String]) throws -> [String] {
        guard let filesFrom else {
            if null {
                throw ValidationError("--null applies to --files-from LIST, which is not given")
            }
            return arguments
        }
        if filesFrom == "-" && arguments.contains("-") {
            throw ValidationError(
                "--files-from - and the input '-' cannot both read standard input")
        }
        let listed = try FileList.read(filesFrom, endedByNUL: null)
        if listed.isEmpty && arguments.isEmpty {
            throw ValidationError("--files-from \(filesFrom): names no files")
        }
        return arguments + listed
    }

    /// The shard this process runs, if any; `--shard` needs a batch to split.
    func resolvedShard(isBatch: Bool) throws -> Shard? {
        guard let shard else { return nil }
        guard isBatch else {
            throw ValidationError(
                "--shard splits several inputs or a folder; with one input there is nothing to split"
            )
        }
        return try shard.resolve(environment: ProcessInfo.processInfo.environment)
    }
}
