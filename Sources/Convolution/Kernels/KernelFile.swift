// KernelFile: the `.kernel` text format of filters/ and of users' own kernel files.
//
//     # name: gaussian3
//     # description: 3x3 Gaussian blur
//     # source: where the weights come from
//     # orientation: symmetric (convolve and correlate agree)
//     divisor: 16
//     1 2 1
//     2 4 2
//     1 2 1
//
// Lines starting with '#' are comments; `# key: value` comments carry the metadata, and an
// indented comment line continues the previous key. Rows are numbers separated by spaces or
// commas. A file may hold a set of kernels (a compass set such as Kirsch): each member starts
// with `kernel: NAME`, or members are separated by blank lines. `divisor: D` divides the weights
// of the member it appears in, so the integer weights of the source stay readable. A divisor or
// a `kernel:` name cut off from every row by a blank line belongs to no member and is an error:
// applying it to the rows before or after would be a guess, and dropping it changes the weights
// or the name.

import ConvkitSupport
import ImageIO

/// A kernel or set of kernels with the words that describe it.
public struct KernelDefinition: Sendable, Equatable {
    /// The name `--kernel` accepts (the file name without `.kernel` for filters/).
    public var name: String
    /// One line for people: what the kernel does.
    public var description: String
    /// Where the weights come from (paper, library function, web page).
    public var source: String
    /// Whether the weights are meant for `convolve` or `correlate`, or are symmetric.
    public var orientation: String
    /// One kernel, or the members of a set in order (each with its own name).
    public var kernels: [Kernel]
    /// Whether a family such as `gaussian:5` computed the weights, rather than a person writing
    /// them (inline, in a file, in filters/).
    public var isComputed = false

    /// Parses `.kernel` text; `name` is used when the text has no `# name:` line, and `path`
    /// names the file in errors.
    package static func parse(_ text: String, name: String, path: String) throws -> KernelDefinition
    {
        var metadata = [String: String]()
        var lastKey: String?
        var members = [Member]()
        var current = Member()
        func finishMember() throws {
            if current.rows.isEmpty, let line = current.divisorLine {
                throw KernelError.badFile(
                    path: path,
                    detail:
                        "line \(line): 'divisor:' has no rows of its own (a blank line separates the kernels of a set): write it next to the rows it divides"
                )
            }
            if current.rows.isEmpty, let name = current.name, let line = current.line {
                throw KernelError.badFile(
                    path: path,
                    detail:
                        "line \(line): 'kernel: \(escapedForMessage(name))' has no rows of its own (a blank line separates the kernels of a set): write its rows right under it"
                )
            }
            if !current.rows.isEmpty { members.append(current) }
            current = Member()
        }
        for (index, rawLine) in TextLines.of(text).enumerated() {
            let lineNumber = index + 1
            let line = KernelText.trim(rawLine)
            if line.hasPrefix("#") {
                let comment = line.dropFirst()
                if let colon = comment.firstIndex(of: ":"),
                    case let key = KernelText.trim(comment[..<colon]).lowercased(),
                    ["name", "description", "source", "orientation"].contains(key)
                {
                    metadata[key] = String(KernelText.trim(comment[comment.index(after: colon)...]))
                    lastKey = key
                } else if let key = lastKey, rawLine.dropFirst().hasPrefix("  "),
                    !KernelText.trim(comment).isEmpty
                {
                    metadata[key, default: ""] += " " + KernelText.trim(comment)
                } else {
                    lastKey = nil
                }
                continue
            }
            lastKey = nil
            if line.isEmpty {
                try finishMember()
                continue
            }
            let lower = line.lowercased()
            if lower.hasPrefix("kernel:") {
                try finishMember()
                current.name = String(KernelText.trim(line.dropFirst("kernel:".count)))
                current.line = lineNumber
                continue
            }
            if lower.hasPrefix("divisor:") {
                let text = KernelText.trim(line.dropFirst("divisor:".count))
                guard case .success(let divisor) = KernelText.number(text), divisor != 0 else {
                    throw KernelError.badFile(
                        path: path,
                        detail: "line \(lineNumber): divisor '\(text)' is not a non-zero number")
                }
                current.divisor = divisor
                current.divisorText = text
                current.divisorLine = lineNumber
                continue
            }
            let entries = KernelText.entries(line)
            if let first = current.rows.first, entries.count != first.count {
                throw KernelError.badFile(
                    path: path,
                    detail:
                        "line \(lineNumber): \(entries.count) weights, the rows above have \(first.count)"
                )
            }
            var row = [Double]()
            for (column, token) in entries.enumerated() {
                switch KernelText.number(token) {
                case .success(let value): row.append(value)
                case .failure(let error):
                    throw KernelError.badFile(
                        path: path,
                        detail: "line \(lineNumber), column \(column + 1): \(error.reason)")
                }
            }
            if current.rows.isEmpty { current.line = current.line ?? lineNumber }
            current.rows.append(row)
            guard current.rows.count <= 4096, row.count <= 4096 else {
                throw KernelError.badFile(
                    path: path,
                    detail: "line \(lineNumber): a kernel has at most 4096 rows and columns")
            }
        }
        try finishMember()
        guard !members.isEmpty else {
            throw KernelError.badFile(path: path, detail: "no kernel weights found")
        }
        let definitionName = metadata["name"] ?? name
        var kernels = [Kernel]()
        for (index, member) in members.enumerated() {
            let memberName =
                member.name
                ?? (members.count == 1 ? definitionName : "\(definitionName)-\(index + 1)")
            let written = member.rows.flatMap { $0 }
            let columns = member.rows[0].count
            if case (let index, let reason)? = KernelText.quotientBeyondRange(
                written, divisor: member.divisor, written: member.divisorText, what: "divisor")
            {
                throw KernelError.badFile(
                    path: path,
                    detail:
                        "line \(member.line ?? 1): row \(index / columns + 1), column \(index % columns + 1): \(reason)"
                )
            }
            let weights = written.map { $0 / member.divisor }
            do {
                kernels.append(
                    try Kernel(
                        name: memberName, rows: member.rows.count, columns: member.rows[0].count,
                        weights: weights))
            } catch let error as KernelError {
                throw KernelError.badFile(path: path, detail: "line \(member.line ?? 1): \(error)")
            }
        }
        return KernelDefinition(
            name: definitionName, description: metadata["description"] ?? "",
            source: metadata["source"] ?? "", orientation: metadata["orientation"] ?? "",
            kernels: kernels)
    }

    /// One matrix of a file while it is being read.
    private struct Member {
        var name: String?
        var divisor = 1.0
        /// The divisor as written, for messages.
        var divisorText: Substring = "1"
        /// Where `divisor:` was given, to name it if the member ends with no rows.
        var divisorLine: Int?
        var rows = [[Double]]()
        var line: Int?
    }
}
