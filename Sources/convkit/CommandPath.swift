// CommandPath: the subcommands named on a command line, and a did-you-mean error for a name
// that is not one of them (`convkit kernels shwo`, `convkit help bogus`).

import ArgumentParser
import ConvkitSupport
import Convolution

enum CommandPath {
    /// The subcommand names at the start of `arguments` that exist (`["kernels", "show"]`),
    /// after a leading `help`; used to point a usage error at the right help page.
    static func known(in arguments: [String]) -> [String] {
        var names = [String]()
        var command: ParsableCommand.Type = ConvKit.self
        for argument in arguments.drop(while: { $0 == "help" }) {
            guard let next = subcommand(named: argument, of: command) else { break }
            names.append(argument)
            command = next
        }
        return names
    }

    /// Throws a `ValidationError` when a word where a subcommand belongs names none: after
    /// `convkit`, after `help`, and after a command that has subcommands (`kernels`,
    /// `visualize`, `bench`), whose default subcommand takes no words of its own.
    static func check(_ arguments: [String]) throws {
        var command: ParsableCommand.Type = ConvKit.self
        var words = arguments[...]
        var spelled = ["convkit"]
        if words.first == "help" { words = words.dropFirst() }
        for word in words {
            let children = command.configuration.subcommands
            if children.isEmpty || word.hasPrefix("-") { return }
            guard let next = subcommand(named: word, of: command) else {
                let names = children.map { $0._commandName }
                let suggestions = NameSuggestions.closest(to: word, in: names, limit: 2)
                let hint =
                    suggestions.isEmpty
                    ? "subcommands: \(names.joined(separator: ", "))"
                    : didYouMean(suggestions)
                throw ValidationError(
                    "unknown subcommand '\(escapedForMessage(word))' of '\(spelled.joined(separator: " "))'; \(hint)"
                )
            }
            spelled.append(word)
            command = next
        }
    }

    /// `did you mean 'a' or 'b'?` for the suggested names of a misspelt one.
    static func didYouMean(_ names: [String]) -> String {
        "did you mean \(names.map { "'\($0)'" }.joined(separator: " or "))?"
    }

    private static func subcommand(named name: String, of command: ParsableCommand.Type)
        -> ParsableCommand.Type?
    {
        command.configuration.subcommands.first { $0._commandName == name }
    }
}
