// HelpLayoutTests: every subcommand's --help, rendered for an 80-column terminal, fits in 80
// columns without ragged lines, shows its defaults and, where users need them, examples.

import Foundation
import Testing

@Suite struct HelpLayoutTests {
    /// Every command path, the root included.
    static let commands: [[String]] = [
        [], ["info"], ["convert"], ["kernels"], ["kernels", "list"], ["kernels", "show"],
        ["filter"], ["bench"], ["bench", "convolve"], ["visualize"], ["visualize", "filters"],
        ["visualize", "activations"], ["report"], ["train"], ["evaluate"], ["predict"],
        ["diagram"], ["export"],
    ]

    static func help(_ command: [String]) throws -> String {
        let result = try CLI.run(["help"] + command, environment: ["COLUMNS": "80"])
        #expect(result.status == 0, "\(command): \(result.stderr)")
        return result.output
    }

    @Test(arguments: commands)
    func fitsEightyColumns(_ command: [String]) throws {
        let lines = try Self.help(command).split(separator: "\n", omittingEmptySubsequences: false)
        let name = (["convkit"] + command).joined(separator: " ")
        for (index, line) in lines.enumerated() {
            #expect(
                line.count <= 80, "\(name) help line \(index + 1) is \(line.count) wide: \(line)")
            let next = index + 1 < lines.count ? lines[index + 1] : ""
            #expect(
                !Self.isRaggedOneWordLine(line, next: next),
                "\(name) help line \(index + 1) is one ragged word: '\(line)' before '\(next)'")
        }
    }

    /// A line holding a single word in the middle of a paragraph: what prose wrapped by hand and
    /// then wrapped again at 80 columns leaves behind. Option names alone on their line,
    /// headings, and the lists and examples that discussions lay out by hand (indented by two
    /// to four spaces) are not prose.
    static func isRaggedOneWordLine(_ line: Substring, next: Substring) -> Bool {
        let word = line.trimmingCharacters(in: .whitespaces)
        guard !word.isEmpty, !word.contains(" "), !word.hasPrefix("-"), !word.hasSuffix(":")
        else { return false }
        let indent = line.prefix { $0 == " " }.count
        if (1...4).contains(indent) { return false }
        let nextIndent = next.prefix { $0 == " " }.count
        let nextText = next.trimmingCharacters(in: .whitespaces)
        return !nextText.isEmpty && nextIndent == indent && !nextText.hasPrefix("-")
    }

    @Test func theRaggedLineCheckCatchesDoubleWrapping() {
        // "columns," left alone by a hand-wrapped line re-wrapped at 80 columns.
        #expect(Self.isRaggedOneWordLine("columns,", next: "numpy's order: --stride 2x1"))
        #expect(!Self.isRaggedOneWordLine("  --verbose", next: "  Say which algorithm"))
        #expect(!Self.isRaggedOneWordLine("Examples:", next: "  convkit filter"))
        #expect(!Self.isRaggedOneWordLine("end.", next: ""))
        #expect(!Self.isRaggedOneWordLine("  flatten", next: "  relu"))
    }

    @Test func examplesWhereUsersLookForThem() throws {
        for command in [["filter"], ["convert"], ["kernels"], ["train"], ["visualize"]] {
            let text = try Self.help(command)
            #expect(text.contains("Examples:\n  convkit \(command[0])"), "\(command)")
        }
    }

    @Test func optionalSettingsShowTheirDefaults() throws {
        let cases: [([String], String)] = [
            (["filter"], "--padding"), (["filter"], "--fill"), (["filter"], "--range"),
            (["train"], "--train-limit"), (["train"], "--test-limit"), (["train"], "--seed"),
            (["train"], "--batch-size"), (["evaluate"], "--test-limit"),
            (["visualize", "filters"], "--reduce"), (["diagram"], "--pool"),
            (["diagram"], "--padding"), (["diagram"], "--input"),
        ]
        for (command, option) in cases {
            guard let entry = Self.entry(of: option, in: try Self.help(command)) else {
                Issue.record("\(command) help has no \(option)")
                continue
            }
            #expect(entry.contains("(default:"), "\(command) \(option): \(entry)")
        }
    }

    /// Every command that takes --threads uses every core unless told otherwise.
    @Test func threadsDefaultToEveryCore() throws {
        var found = 0
        for command in Self.commands + [["visualize", "patterns"], ["visualize", "saliency"]] {
            guard let entry = Self.entry(of: "--threads", in: try Self.help(command)) else {
                continue
            }
            found += 1
            let words = entry.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(words.contains("(default: every core)"), "\(command): \(words)")
        }
        #expect(found >= 5)
    }

    /// The help entry of `option` in `text`: from its name to the next option.
    static func entry(of option: String, in text: String) -> Substring? {
        guard let start = text.range(of: "  " + option + " ") else { return nil }
        let rest = text[start.upperBound...]
        return rest[..<(rest.range(of: "\n  -")?.lowerBound ?? rest.endIndex)]
    }
}
