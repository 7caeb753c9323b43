// ManifestSummary: several manifests merged: how many inputs finished, failed or ran twice.

import Foundation
import ImageIO

/// The merged totals of one or more manifests. An input (by its `input` field) counts as ok if
/// any line says so, failed if none does; it is a duplicate if more than one line names it
/// (shards that overlapped, or a rerun without `--skip-existing`).
struct ManifestSummary: Codable, Equatable {
    struct Failure: Codable, Equatable {
        let input: String
        let error: String
    }
    struct Duplicate: Codable, Equatable {
        let input: String
        let lines: Int
    }

    var manifests = 0
    var lines = 0
    var inputs = 0
    var ok = 0
    var failed = 0
    var duplicates = 0
    /// Width x height summed over the ok inputs (each once).
    var pixels = 0
    /// Seconds summed over every line (processing time, not wall-clock time).
    var seconds = 0.0
    /// Lines per shard (`K/N`, or `none` for unsharded runs).
    var shards = [String: Int]()
    var failures = [Failure]()
    var duplicated = [Duplicate]()

    /// Reads and merges the manifests at `paths`; a line that is not a manifest record is an
    /// error naming the file and line.
    static func read(_ paths: [String]) throws -> ManifestSummary {
        var records = [ManifestRecord]()
        for path in paths {
            let bytes = try FileAccess.readAll(path)
            let text = String(decoding: bytes, as: UTF8.self)
            for (index, line) in TextLines.of(text).enumerated() where !line.isEmpty {
                do {
                    records.append(
                        try JSONDecoder().decode(ManifestRecord.self, from: Data(line.utf8)))
                } catch {
                    throw CLIError("\(path): line \(index + 1) is not a convkit manifest record")
                }
            }
        }
        var summary = merge(records)
        summary.manifests = paths.count
        return summary
    }

    /// The totals of `records`, in the order inputs first appear.
    static func merge(_ records: [ManifestRecord]) -> ManifestSummary {
        var summary = ManifestSummary()
        var order = [String]()
        var byInput = [String: [ManifestRecord]]()
        for record in records {
            if byInput[record.input] == nil { order.append(record.input) }
            byInput[record.input, default: []].append(record)
            summary.seconds += record.seconds
            summary.shards[record.shard ?? "none", default: 0] += 1
        }
        summary.lines = records.count
        summary.inputs = order.count
        for input in order {
            let lines = byInput[input] ?? []
            if let done = lines.first(where: { $0.status == "ok" }) {
                summary.ok += 1
                summary.pixels += done.pixels
            } else {
                summary.failed += 1
                summary.failures.append(
                    Failure(input: input, error: lines.last?.error ?? "failed"))
            }
            if lines.count > 1 {
                summary.duplicates += 1
                summary.duplicated.append(Duplicate(input: input, lines: lines.count))
            }
        }
        return summary
    }

    /// The summary for people: totals, then each failure and duplicate on its own line.
    var text: String {
        var out = [
            "manifests: \(manifests), lines: \(lines)",
            "inputs: \(inputs) (ok \(ok), failed \(failed), duplicates \(duplicates))",
            "pixels: \(pixels) (ok inputs), seconds: \(String(format: "%.3f", seconds)) (summed)",
            "shards: "
                + shards.keys.sorted().map { "\($0) \(shards[$0] ?? 0)" }.joined(separator: ", "),
        ]
        out += failures.map { "failed: \($0.input): \($0.error)" }
        out += duplicated.map { "duplicate: \($0.input) (\($0.lines) lines)" }
        return out.joined(separator: "\n")
    }
}
