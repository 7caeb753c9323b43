// KernelText: reading numbers and matrices written as text, with the position of any bad entry.

import ConvkitSupport

/// Number and row parsing shared by the inline syntaxes and the `.kernel` file format.
enum KernelText {
    /// `text` without leading and trailing spaces, tabs and line breaks.
    static func trim<S: StringProtocol>(_ text: S) -> Substring where S.SubSequence == Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
            let last = text.lastIndex(where: { !isSpace($0) })
        else {
            return text[text.endIndex...]
        }
        return text[first...last]
    }

    /// A weight: a decimal number (`-2`, `0.125`, `1e-3`) or a fraction (`1/16`), finite.
    /// Returns a reason in words when `token` is not one.
    static func number(_ token: Substring) -> Result<Double, KernelTextError> {
        if token.isEmpty { return .failure(KernelTextError("is empty")) }
        let shown = escapedForMessage(token, limit: 40)
        let parts = token.split(separator: "/", omittingEmptySubsequences: false)
        let value: Double?
        switch parts.count {
        case 1: value = decimal(parts[0])
        case 2:
            guard let numerator = decimal(parts[0]), let denominator = decimal(parts[1]) else {
                value = nil
                break
            }
            if denominator == 0 { return .failure(KernelTextError("'\(shown)' divides by zero")) }
            value = numerator / denominator
        default: value = nil
        }
        guard let value else { return .failure(KernelTextError("'\(shown)' is not a number")) }
        guard value.isFinite else {
            // Only overflow gets here: `decimal` reads no `inf` or `nan`, and 0/0 is refused.
            return .failure(
                KernelTextError(
                    "'\(shown)' is not a finite number: it overflows Double (beyond +-1.8e308)"))
        }
        guard value.fitsFloat32 else {
            return .failure(
                KernelTextError(
                    "'\(shown)' is beyond Float32's range (+-3.4e38), the precision images are filtered in"
                ))
        }
        return .success(value)
    }

    /// Where dividing `weights` by `divisor` (written `divisorText`; `what` names it: `divisor`,
    /// `scale`) first leaves Float32's range, as the weight's index and the reason in words: a
    /// tiny divisor can make the small weights a file writes too large to filter with, and the
    /// message must name the division, not a weight the file does not hold. nil when all fit.
    static func quotientBeyondRange(
        _ weights: [Double], divisor: Double, written divisorText: Substring, what: String
    ) -> (index: Int, reason: String)? {
        guard
            let index = weights.firstIndex(where: { !($0 / divisor).fitsFloat32 })
        else { return nil }
        return (
            index,
            "weight \(plainNumber(weights[index])) / \(what) \(escapedForMessage(divisorText, limit: 40)) is beyond Float32's range (+-3.4e38), the precision images are filtered in"
        )
    }

    /// Plain decimal notation only: no `nan`, `inf` or hexadecimal floats. The minus sign U+2212
    /// of typeset pages (Wikipedia's kernel tables) counts as '-'.
    private static func decimal(_ text: Substring) -> Double? {
        let ascii = String(text.map { $0 == "\u{2212}" ? "-" : $0 })
        guard !ascii.isEmpty, ascii.allSatisfy({ "0123456789+-.eE".contains($0) }) else {
            return nil
        }
        return Double(ascii)
    }

    /// Whether `text` is only numbers and separators (a matrix written without size or brackets).
    static func isNumberList(_ text: Substring) -> Bool {
        text.contains { $0.isASCII && $0.isNumber }
            && text.allSatisfy { "0123456789+-.,;/eE \t\u{2212}".contains($0) }
    }

    /// The entries of one row: numbers separated by commas and/or spaces. An empty entry
    /// between two commas is reported, a trailing comma is allowed.
    static func entries(_ text: Substring) -> [Substring] {
        var result = [Substring]()
        let pieces = text.split(separator: ",", omittingEmptySubsequences: false)
        for (index, piece) in pieces.enumerated() {
            let words = piece.split(whereSeparator: {
                $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r"
            })
            if words.isEmpty {
                if index == pieces.count - 1 && index > 0 { continue }
                if pieces.count > 1 { result.append(piece[piece.startIndex..<piece.startIndex]) }
                continue
            }
            result += words
        }
        return result
    }

    /// Parses rows of entries into weights, naming the first bad entry by its 1-based number,
    /// row and column.
    static func weights(rows: [[Substring]]) -> Result<[Double], KernelTextError> {
        var weights = [Double]()
        var count = 0
        for (r, row) in rows.enumerated() {
            for (c, token) in row.enumerated() {
                count += 1
                switch number(token) {
                case .success(let value): weights.append(value)
                case .failure(let error):
                    return .failure(
                        KernelTextError(
                            "entry \(count) (row \(r + 1), column \(c + 1)) \(error.reason)"))
                }
            }
        }
        return .success(weights)
    }
}

/// Why a piece of kernel text cannot be read, in words.
struct KernelTextError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
