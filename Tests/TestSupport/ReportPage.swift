// ReportPage: a report's index.html read back, for the tests of the library's report and of
// `convkit report`.

import Foundation
import ImageIO

/// The figures a report folder's index.html shows, by file name (from its `<img src="...">`
/// tags), each read from the folder.
public func shownFigures(inReport folder: String) throws -> [String: Image] {
    let html = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
    let sources = html.components(separatedBy: "<img src=\"").dropFirst().compactMap {
        $0.split(separator: "\"").first.map(String.init)
    }
    var figures: [String: Image] = [:]
    for source in sources { figures[source] = try ImageFile.read(path: folder + "/" + source) }
    return figures
}

/// The figures the report of a model with a training log shows.
public let reportFigures: Set<String> = [
    "confusion.png", "errors.png", "misclassified.png", "loss.png", "accuracy.png", "filters.png",
    "gradcam.png", "patterns.png",
]
