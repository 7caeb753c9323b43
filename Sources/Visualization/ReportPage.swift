// ReportPage: the index.html of a report: headline figures, every figure, per-class and per-epoch tables.

import Foundation
import LearnedFilters

/// The text of a self-contained HTML page (inline style, relative image links) that opens
/// from the file system without a server.
package struct ReportPage: Sendable {
    /// One figure: its file name beside the page and a caption.
    package struct Item: Sendable, Equatable {
        package var file: String
        package var caption: String

        package init(file: String, caption: String) {
            self.file = file
            self.caption = caption
        }
    }

    package var title: String
    /// Headline label/value pairs, shown first.
    package var headline: [(label: String, value: String)]
    package var figures: [Item]
    /// Other files to link to (CSV tables).
    package var downloads: [Item]
    package var matrix: ConfusionMatrix
    package var records: [EpochRecord]
    /// Shown when there is no training log.
    package var note: String?

    package init(
        title: String, headline: [(label: String, value: String)], figures: [Item],
        downloads: [Item],
        matrix: ConfusionMatrix, records: [EpochRecord], note: String? = nil
    ) {
        self.title = title
        self.headline = headline
        self.figures = figures
        self.downloads = downloads
        self.matrix = matrix
        self.records = records
        self.note = note
    }

    /// `text` with the five HTML special characters escaped.
    package static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A relative URL for a file name: each byte outside the unreserved set percent-encoded.
    package static func link(_ file: String) -> String {
        var out = ""
        for byte in file.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~/".contains(c)) {
                out.append(c)
            } else {
                out += "%" + hex(byte)
            }
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    private static let style = """
        body{font-family:"DejaVu Sans",sans-serif;color:#333;margin:2em auto;max-width:1200px;padding:0 1em}
        h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
        .headline{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}
        .headline div{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:9em}
        .headline b{display:block;font-size:1.6em}
        .figures{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}
        figure{margin:0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.9em;color:#555;max-width:600px}
        table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
        """

    /// The page's HTML.
    package var html: String {
        var lines = [
            "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
            "<title>\(ReportPage.escape(title))</title>", "<style>\(ReportPage.style)</style>",
            "</head>", "<body>",
            "<h1>\(ReportPage.escape(title))</h1>", "<div class=\"headline\">",
        ]
        for item in headline {
            lines.append(
                "<div>\(ReportPage.escape(item.label))<b>\(ReportPage.escape(item.value))</b></div>"
            )
        }
        lines.append("</div>")
        if let note { lines.append("<p>\(ReportPage.escape(note))</p>") }
        lines.append("<div class=\"figures\">")
        for figure in figures {
            lines.append(
                "<figure><img src=\"\(ReportPage.link(figure.file))\" alt=\"\(ReportPage.escape(figure.caption))\">"
                    + "<figcaption>\(ReportPage.escape(figure.caption))</figcaption></figure>")
        }
        lines.append("</div>")
        lines += classTable() + epochTable()
        if !downloads.isEmpty {
            lines.append("<h2>Tables</h2><ul>")
            for item in downloads {
                lines.append(
                    "<li><a href=\"\(ReportPage.link(item.file))\">\(ReportPage.escape(item.file))</a>: \(ReportPage.escape(item.caption))</li>"
                )
            }
            lines.append("</ul>")
        }
        lines += ["</body>", "</html>"]
        return lines.joined(separator: "\n") + "\n"
    }

    private func classTable() -> [String] {
        var lines = [
            "<h2>Per class</h2>", "<table>",
            "<tr><th>class</th><th>test images</th><th>misclassified</th><th>accuracy</th></tr>",
        ]
        let errors = matrix.errorsPerClass
        for (index, name) in matrix.classNames.enumerated() {
            let total = matrix.counts[index].reduce(0, +)
            let accuracy = total == 0 ? "–" : percent(Double(total - errors[index]) / Double(total))
            lines.append(
                "<tr><td>\(ReportPage.escape(name))</td><td>\(total)</td><td>\(errors[index])</td><td>\(accuracy)</td></tr>"
            )
        }
        lines.append("</table>")
        return lines
    }

    private func epochTable() -> [String] {
        guard !records.isEmpty else { return [] }
        var lines = [
            "<h2>Training log</h2>", "<table>",
            "<tr><th>epoch</th><th>loss</th><th>accuracy</th><th>test loss</th><th>test accuracy</th><th>seconds</th></tr>",
        ]
        for r in records {
            lines.append(
                "<tr><td>\(r.epoch)</td><td>\(fixed(r.loss, 4))</td><td>\(percent(r.accuracy))</td><td>\(fixed(r.testLoss, 4))</td>"
                    + "<td>\(percent(r.testAccuracy))</td><td>\(fixed(r.seconds, 1))</td></tr>")
        }
        lines.append("</table>")
        return lines
    }
}

/// `value` as a percentage with two decimals: 99.12%.
func percent(_ value: Double) -> String { fixed(value * 100, 2) + "%" }

/// `value` with `decimals` decimals.
func fixed(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
