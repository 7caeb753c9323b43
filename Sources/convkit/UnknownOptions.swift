// UnknownOptions: an option the subcommand does not have is the mistake reported, whatever else
// it made go wrong, with the closest real option names.

import ArgumentParser
import ConvkitSupport
import Convolution
import Foundation

enum UnknownOptions {
    /// Throws a `ValidationError` naming the first word of `arguments` that is written as an
    /// option (`--name`, `--name=value`, `-n`) but is not one of the options of the subcommand
    /// `path` names (``CommandPath/known(in:)``), with did-you-mean suggestions. Run when parsing
    /// fails: swift-argument-parser checks a command's own rules before it reports an unknown
    /// option, so `filter in.png --threads 2 -o out.png` would otherwise be told that `2` is a
    /// second input. The words after `--`, and the value after an option that takes one, are
    /// not options, whatever they start with.
    static func check(_ arguments: [String], path: [String]) throws {
        guard arguments.first != "help", let options = options(of: path) else { return }
        var words = arguments.dropFirst(path.count)[...]
        while let word = words.popFirst(), word != "--" {
            guard word.count > 1, word.hasPrefix("-"), Double(word) == nil else { continue }
            let name = String(word.prefix { $0 != "=" })
            if let takesValue = options[name] {
                if takesValue && !word.contains("=") {
                    if let value = words.first, startsWithANegativeNumber(value) {
                        throw ValidationError(
                            "\(name) '\(escapedForMessage(value))': a value starting with '-' reads as an option; write \(name)='\(escapedForMessage(value))'"
                        )
                    }
                    _ = words.popFirst()
                }
                continue
            }
            if builtIn.contains(name) { continue }
            if startsWithANegativeNumber(word) {
                throw ValidationError(
                    "'\(escapedForMessage(word))' starts with '-' and reads as an option; put -- before it (-- '\(escapedForMessage(word))')"
                )
            }
            let command = (["convkit"] + path).joined(separator: " ")
            let suggestions = NameSuggestions.closest(
                to: name, in: options.keys.filter { $0.hasPrefix("--") }.sorted(), limit: 2)
            let hint = suggestions.isEmpty ? "" : "; " + CommandPath.didYouMean(suggestions)
            throw ValidationError(
                "unknown option '\(escapedForMessage(name))' of '\(command)'\(hint)")
        }
    }

    /// Whether `word` is a list of numbers starting with a negative one (`-1 0 1`, `-1,2`), such
    /// as a kernel's weights: swift-argument-parser takes a lone negative number as a value,
    /// but reads such a list as options.
    private static func startsWithANegativeNumber(_ word: String) -> Bool {
        let rest = word.dropFirst()
        return word.hasPrefix("-") && (rest.first?.isNumber == true || rest.first == ".")
            && word.contains { $0.isWhitespace || $0 == "," || $0 == ";" }
    }

    /// The options swift-argument-parser answers itself.
    private static let builtIn: Set = [
        "-h", "--help", "--version", "--experimental-dump-help", "--generate-completion-script",
    ]

    /// The option names of the subcommand `path` names, each with whether it takes a value,
    /// from swift-argument-parser's own description of that command; nil for a command with
    /// subcommands of its own (besides the `help` every command gets), whose options depend on
    /// which one runs.
    private static func options(of path: [String]) -> [String: Bool]? {
        do {
            _ = try ConvKit.parseAsRoot(path + ["--experimental-dump-help"])
            return nil
        } catch {
            let text = ConvKit.fullMessage(for: error)
            guard
                let description = try? JSONDecoder().decode(
                    Description.self, from: Data(text.utf8)),
                (description.command.subcommands ?? []).allSatisfy({ $0.commandName == "help" })
            else { return nil }
            var options = [String: Bool]()
            for argument in description.command.arguments ?? [] {
                for name in argument.names ?? [] {
                    options[(name.kind == "long" ? "--" : "-") + name.name] =
                        argument.kind == "option"
                }
            }
            return options
        }
    }

    /// The parts of swift-argument-parser's `--experimental-dump-help` output read here.
    private struct Description: Decodable {
        struct Command: Decodable {
            let commandName: String
            let arguments: [Argument]?
            let subcommands: [Command]?
        }
        struct Argument: Decodable {
            let kind: String
            let names: [Name]?
        }
        struct Name: Decodable {
            let kind: String
            let name: String
        }
        let command: Command
    }
}
