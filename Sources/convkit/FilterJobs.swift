// FilterJobs: which input goes to which output, for one file or a batch, and thread-safe counters.

import ArgumentParser
import ConvkitSupport
import Foundation
import ImageIO
import Synchronization

/// The input/output pairs of one `filter` run.
struct FilterJobs {
    struct Item: Sendable {
        let input: String
        let output: String
        let format: ImageFileFormat
        /// The input's path inside its folder input, or as written: what `--shard` hashes.
        var key: String = ""
        /// Why the input, a subfolder of a folder input, could not be listed: the item fails
        /// with this error, and its output is the subfolder it would have filled.
        var unreadable: (any Error)? = nil
    }

    let items: [Item]
    /// Several inputs, a folder input, or an output folder: outputs are named after the inputs.
    let isBatch: Bool
    /// The folder the outputs go into (batch runs only), created before the first write.
    let folder: String?
    /// What the folder inputs hold that is skipped (its `files` are empty).
    var skipped = InputTree.Listing()
    var count: Int { items.count }

    /// One input and a file output is a single job, in the format of the output's extension
    /// (`-` writes `format`, PNG by default). Several inputs, a folder input or an output that
    /// names a folder (an existing one, or a name ending in `/`) make a batch, written into that
    /// folder as `NAME.png` or `NAME.npy` (by `format`); standard input is named `stdin`.
    /// Folders contribute their `.png` and `.npy` files, sorted by name; with `recursive`, those
    /// of every subfolder too, written to the same path under the output folder (`a/x.png` to
    /// `OUT/a/x.png`). `listed` (`--files-from`) always makes a batch.
    static func plan(
        inputs: [String], output: String, format: ImageFileFormat?, recursive: Bool = false,
        listed: Bool = false
    ) throws -> FilterJobs {
        var files = [(path: String, key: String, subfolder: String, unreadable: (any Error)?)]()
        var skipped = InputTree.Listing()
        var sawFolder = false
        for input in inputs {
            if input != "-" && FileAccess.isDirectory(input) {
                sawFolder = true
                if recursive, output != "-", InputTree.folder(output, liesInside: input) {
                    throw ValidationError(
                        "\(output): lies inside the input folder \(input), which --recursive walks, so the next run would take the outputs for inputs; choose an output folder outside \(input)"
                    )
                }
                let listing = try InputTree.files(in: input, recursive: recursive)
                files += listing.files.map {
                    (
                        OutputPaths.join(input, $0), $0, ($0 as NSString).deletingLastPathComponent,
                        listing.unreadableFolders[$0]
                    )
                }
                skipped += InputTree.Listing(
                    otherImages: listing.otherImages, specialFiles: listing.specialFiles
                ).prefixed(by: input)
            } else {
                files.append((input, InputTree.key(of: input), "", nil))
            }
        }
        let batch = sawFolder || listed || inputs.count > 1 || OutputPaths.namesFolder(output)
        guard batch else {
            let chosen =
                output == "-"
                ? format ?? .png
                : try OutputPaths.format(
                    of: output, among: ImageFileFormat.allCases, what: "filter's output")
            if let format, format != chosen {
                throw ValidationError(
                    "--format \(format.rawValue) contradicts the output name \(output)")
            }
            return FilterJobs(
                items: [Item(input: inputs[0], output: output, format: chosen)], isBatch: false,
                folder: nil)
        }
        guard OutputPaths.namesFolder(output) else {
            throw ValidationError(
                "\(output): several inputs need an output folder (an existing folder, or a name ending in '/')"
            )
        }
        guard !files.isEmpty else {
            throw CLIError(
                "\(inputs.joined(separator: ", ")): no .png or .npy files found\(skipped.skippedSuffix)"
            )
        }
        let chosen = format ?? .png
        var seen = [String: String]()
        var items = [Item]()
        for (file, key, subfolder, unreadable) in files {
            if let unreadable {
                items.append(
                    Item(
                        input: file, output: OutputPaths.join(output, key), format: chosen,
                        key: key, unreadable: unreadable))
                continue
            }
            let base = file == "-" ? "stdin" : (file as NSString).lastPathComponent
            let stem = (base as NSString).deletingPathExtension
            let name = subfolder.isEmpty ? stem : subfolder + "/" + stem
            let target = OutputPaths.join(output, name + "." + chosen.rawValue)
            if let other = seen[target] {
                throw ValidationError(
                    "\(file) and \(other) would both write \(target); rename one of them")
            }
            seen[target] = file
            items.append(Item(input: file, output: target, format: chosen, key: key))
        }
        return FilterJobs(
            items: items, isBatch: true, folder: output, skipped: skipped)
    }

    /// Throws a command-line mistake if an output of `mine` (the items this process runs: all,
    /// or one shard's) would replace one of the batch's inputs: a batch names its outputs
    /// itself, so `filter photos/ -o photos/` would otherwise filter every photo in place. The
    /// same file is the same device and inode, whatever folder path or link reaches it. An
    /// existing output is compared with the inputs of its own file name only (a link of another
    /// name to an input is not caught), so a fresh output folder costs one failed `stat` per
    /// output, and a shard only its own outputs.
    func refuseOverwritingInputs(running mine: [Item]) throws {
        let existing = mine.compactMap { item in FileIdentity(of: item.output).map { ($0, item) } }
        guard !existing.isEmpty, let folder else { return }
        let byName = Dictionary(
            grouping: items.filter { $0.input != "-" }, by: { Self.fileName($0.input) })
        for (identity, item) in existing {
            let replaced = byName[Self.fileName(item.output)]?.first {
                FileIdentity(of: $0.input) == identity
            }
            guard let input = replaced?.input else { continue }
            let writer = item.input == input ? "its own output" : "the output of \(item.input)"
            throw ValidationError(
                "\(input) would be replaced by \(writer) (\(item.output)); choose an output folder other than \(folder)"
            )
        }
    }

    /// The last component of `path`.
    private static func fileName(_ path: String) -> String {
        (path as NSString).lastPathComponent
    }
}

/// Hands out indices 0..<count to worker threads, each once.
final class WorkQueue: Sendable {
    private let next = Mutex(0)
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    func take() -> Int? {
        next.withLock { value in
            guard value < count else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

/// A counter of failed files shared by worker threads.
final class FailureCount: Sendable {
    private let count = Mutex(0)

    func add() {
        count.withLock { $0 += 1 }
    }

    var value: Int { count.withLock { $0 } }
}
