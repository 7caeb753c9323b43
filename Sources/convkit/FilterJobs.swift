// FilterJobs: which input goes to which output, for one file or a batch, and thread-safe counters.

import Foundation
import ImageIO
import Synchronization

/// The input/output pairs of one `filter` run.
struct FilterJobs {
    struct Item: Sendable {
        let input: String
        let output: String
    }

    let items: [Item]
    /// Several inputs, a folder, or an output folder: outputs are named after the inputs.
    let isBatch: Bool
    var count: Int { items.count }

    /// One input and a file output is a single job; several inputs, a folder input or an existing
    /// output folder make a batch written into the output folder (created if needed) as
    /// `NAME.png`. Folders contribute their `.png` and `.npy` files, sorted by name.
    static func plan(inputs: [String], output: String) throws -> FilterJobs {
        var files = [String]()
        var sawFolder = false
        for input in inputs {
            if input != "-" && FileAccess.isDirectory(input) {
                sawFolder = true
                let names = try FileAccess.folderEntries(input).sorted()
                let images = names.filter {
                    $0.lowercased().hasSuffix(".png") || $0.lowercased().hasSuffix(".npy")
                }
                files += images.map { input.hasSuffix("/") ? input + $0 : input + "/" + $0 }
            } else {
                files.append(input)
            }
        }
        let batch =
            sawFolder || inputs.count > 1 || (output != "-" && FileAccess.isDirectory(output))
        guard batch else {
            return FilterJobs(items: [Item(input: inputs[0], output: output)], isBatch: false)
        }
        guard output != "-" else {
            throw CLIError("-: several inputs need an output folder, not standard output")
        }
        guard !files.isEmpty else {
            throw CLIError("\(inputs.joined(separator: ", ")): no .png or .npy files found")
        }
        do {
            try FileAccess.createFolder(output)
        } catch ImageIOError.writeFailed(_, let reason) {
            throw CLIError("\(output): cannot create the output folder: \(reason)")
        }
        var seen = Set<String>()
        var items = [Item]()
        for file in files {
            let base = (file as NSString).lastPathComponent
            let stem = (base as NSString).deletingPathExtension
            let target = (output as NSString).appendingPathComponent(stem + ".png")
            guard seen.insert(target).inserted else {
                throw CLIError("\(file): another input also writes \(target); rename one of them")
            }
            items.append(Item(input: file, output: target))
        }
        return FilterJobs(items: items, isBatch: true)
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
