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

    /// The fields of a manifest line that a summary reads.
    struct Line: Decodable, Equatable {
        var input: String
        var status: String
        var error: String?
        var pixels: Int
        var seconds: Double
        var shard: String?

        /// What makes the line impossible for a manifest convkit wrote, or nil: a negative
        /// pixel count or time.
        var problem: String? {
            if pixels < 0 { return "pixels must be 0 or more, got \(pixels)" }
            if seconds < 0 { return "seconds must be 0 or more, got \(seconds)" }
            return nil
        }
    }

    /// Reads and merges the manifests at `paths`; a line that is not a manifest record, or
    /// holds a negative count, is an error naming the file and line.
    static func read(_ paths: [String]) throws -> ManifestSummary {
        var lines = [Line]()
        for path in paths { lines += try read(path) }
        var summary = try merge(lines)
        summary.manifests = paths.count
        return summary
    }

    /// The lines of the manifest at `path`. They are decoded as one JSON array made of the
    /// file's bytes (newlines become commas): a decoder per line took 52 s for a million lines,
    /// one decoder 11.7 s with TextLines and a joined string, and this 7.5 s. If that fails, they
    /// are decoded line by line, to name the first line that is not a record.
    private static func read(_ path: String) throws -> [Line] {
        let bytes = try FileAccess.readAll(path)
        if let lines = try? JSONDecoder().decode([Line].self, from: Data(jsonArray(of: bytes))),
            lines.allSatisfy({ $0.problem == nil })
        {
            return lines
        }
        let text = String(decoding: bytes, as: UTF8.self)
        for (index, line) in TextLines.of(text).enumerated() where !line.isEmpty {
            guard let record = try? JSONDecoder().decode(Line.self, from: Data(line.utf8)) else {
                throw CLIError("\(path): line \(index + 1) is not a convkit manifest record")
            }
            if let problem = record.problem {
                throw CLIError("\(path): line \(index + 1): \(problem)")
            }
        }
        throw CLIError("\(path): is not a convkit manifest")
    }

    /// The lines of JSON Lines `bytes` as one JSON array: `[`, the lines that hold more than
    /// blanks joined by commas, `]` (a UTF-8 byte-order mark dropped). JSON text holds no raw
    /// line breaks, so each LF or CR ends a line.
    static func jsonArray(of bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8(ascii: "[")]
        out.reserveCapacity(bytes.count + 2)
        var inLine = false
        var first = true
        for byte in bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...] {
            if byte == 0x0A || byte == 0x0D {
                inLine = false
                continue
            }
            if !inLine {
                if byte == 0x20 || byte == 0x09 { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                (first, inLine) = (false, true)
            }
            out.append(byte)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// The totals of `lines`, in the order inputs first appear; totals beyond what a summary
    /// can hold (pixels past Int.max, seconds past Double's range) are an error naming the
    /// input where they overflowed.
    static func merge(_ lines: [Line]) throws -> ManifestSummary {
        var summary = ManifestSummary()
        var order = [String]()
        var byInput = [String: [Int]]()
        for (index, line) in lines.enumerated() {
            if byInput[line.input] == nil { order.append(line.input) }
            byInput[line.input, default: []].append(index)
            summary.seconds += line.seconds
            guard summary.seconds.isFinite else {
                throw CLIError(
                    "\(line.input): the manifests' seconds sum past \(Double.greatestFiniteMagnitude) here; a line holds an impossible time"
                )
            }
            summary.shards[line.shard ?? "none", default: 0] += 1
        }
        summary.lines = lines.count
        summary.inputs = order.count
        for input in order {
            let mine = (byInput[input] ?? []).map { lines[$0] }
            if let done = mine.first(where: { $0.status == "ok" }) {
                summary.ok += 1
                let (pixels, overflow) = summary.pixels.addingReportingOverflow(done.pixels)
                guard !overflow else {
                    throw CLIError(
                        "\(input): the manifests' pixels sum past \(Int.max) here; a line holds an impossible count"
                    )
                }
                summary.pixels = pixels
            } else {
                summary.failed += 1
                summary.failures.append(
                    Failure(input: input, error: mine.last?.error ?? "failed"))
            }
            if mine.count > 1 {
                summary.duplicates += 1
                summary.duplicated.append(Duplicate(input: input, lines: mine.count))
            }
        }
        return summary
    }

    /// Failures and duplicates the text names one by one; `--json` lists them all.
    static let listedInText = 20

    /// The summary for people: totals, then each failure and duplicate on its own line.
    var text: String {
        var out = [
            "manifests: \(manifests), lines: \(lines)",
            "inputs: \(inputs) (ok \(ok), failed \(failed), duplicates \(duplicates))",
            "pixels: \(pixels) (ok inputs), seconds: \(String(format: "%.3f", seconds)) (summed)",
            "shards: "
                + shards.keys.sorted().map { "\($0) \(shards[$0] ?? 0)" }.joined(separator: ", "),
        ]
        out += failures.prefix(Self.listedInText).map { "failed: \($0.input): \($0.error)" }
        if failures.count > Self.listedInText {
            out.append(
                "failed: ... and \(failures.count - Self.listedInText) more (--json lists them all)"
            )
        }
        out += duplicated.prefix(Self.listedInText).map {
            "duplicate: \($0.input) (\($0.lines) lines)"
        }
        if duplicated.count > Self.listedInText {
            out.append(
                "duplicate: ... and \(duplicated.count - Self.listedInText) more (--json lists them all)"
            )
        }
        return out.joined(separator: "\n")
    }
}
