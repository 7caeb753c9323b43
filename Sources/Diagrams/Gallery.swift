// Gallery: writes the standard set (GIF and SVG of each) and an index.html that shows them all.

import Convolution
import Dispatch
import Drawing
import Foundation
import ImageIO

/// Renders the standard set into a folder.
public enum Gallery {
    /// Writes `NAME.gif` and `NAME.svg` for every diagram of ``StandardSet`` plus `index.html`
    /// into `directory` (which must exist), rendering diagrams in parallel. Returns the file
    /// names written, the page last.
    @discardableResult
    public static func write(
        to directory: String, style: DiagramStyle = DiagramStyle(), delay: Int = 80,
        scale: Double = 1
    ) throws -> [String] {
        let diagrams = StandardSet.diagrams
        let failures = FailureList()
        DispatchQueue.concurrentPerform(iterations: diagrams.count) { index in
            let diagram = diagrams[index]
            do {
                let figure = try DiagramFigure(parameters: diagram.parameters, style: style)
                try figure.write(to: "\(directory)/\(diagram.name).gif", delay: delay, scale: scale)
                try figure.write(to: "\(directory)/\(diagram.name).svg")
            } catch {
                failures.add(index, error)
            }
        }
        if let first = failures.first { throw first }
        let page = html(diagrams: diagrams, style: style)
        let pagePath = "\(directory)/index.html"
        do {
            try FileAccess.writeAtomically(Array(page.utf8), to: pagePath)
        } catch {
            throw DiagramError.writeFailed(path: pagePath, reason: "\(error)")
        }
        return diagrams.flatMap { ["\($0.name).gif", "\($0.name).svg"] } + ["index.html"]
    }

    /// The gallery page: one figure per diagram with its parameters underneath.
    static func html(diagrams: [StandardDiagram], style: DiagramStyle) -> String {
        var figures = ""
        for diagram in diagrams {
            let geometry = try? DiagramGeometry(diagram.parameters)
            let caption = geometry.map { DiagramCaption(geometry: $0) }
            let frames = geometry.map { "\($0.frameCount) frames" } ?? ""
            figures += """
                      <figure>
                        <a href="\(diagram.name).svg"><img src="\(diagram.name).gif" alt="\(escape(diagram.summary))"></a>
                        <figcaption><strong>\(escape(diagram.summary))</strong><br>
                          \(escape(caption?.title ?? ""))<br>
                          <code>\(escape(caption?.formula.first ?? ""))</code><br>
                          <code>\(escape(commandLine(diagram.parameters)))</code> · \(frames) ·
                          <a href="\(diagram.name).gif">GIF</a> · <a href="\(diagram.name).svg">SVG</a></figcaption>
                      </figure>

                """
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Convolution arithmetic: the standard set</title>
            <style>
              body { font-family: "DejaVu Sans", sans-serif; margin: 2em; color: #002b36; }
              main { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 2em; }
              figure { margin: 0; }
              img { max-width: 100%; height: auto; border: 1px solid #eee; }
              figcaption { font-size: 0.85em; line-height: 1.5; }
              code { font-size: 0.95em; }
            </style>
            </head>
            <body>
            <h1>Convolution arithmetic</h1>
            <p>The animations of V. Dumoulin and F. Visin, <em>A guide to convolution arithmetic for deep
            learning</em> (2016), redrawn by <code>convkit diagram --all</code> (\(style.theme.rawValue) theme),
            with pooling and numerical examples. Each output size comes from
            <code>o = floor((i + p_before + p_after - d*(k-1) - 1)/s) + 1</code>; click a figure for its SVG.</p>
            <main>
            \(figures)</main>
            </body>
            </html>

            """
    }

    /// The `convkit diagram` options that draw `parameters`.
    package static func commandLine(_ parameters: DiagramParameters) -> String {
        var words = [
            "convkit diagram", "--input \(parameters.input)", "--kernel \(parameters.kernel)",
        ]
        if parameters.stride != AxisPair(1) { words.append("--stride \(parameters.stride)") }
        if parameters.padding != Padding(all: 0) { words.append("--padding \(parameters.padding)") }
        if parameters.dilation != AxisPair(1) { words.append("--dilation \(parameters.dilation)") }
        if parameters.transposed { words.append("--transposed") }
        if parameters.outputPadding != AxisPair(0) {
            words.append("--output-padding \(parameters.outputPadding)")
        }
        if let pooling = parameters.pooling { words.append("--pool \(pooling.rawValue)") }
        if parameters.showValues, parameters.pooling == nil { words.append("--values") }
        return words.joined(separator: " ")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
            of: "<", with: "&lt;"
        )
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Errors from parallel work, kept in the order of the work items.
private final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors = [(Int, Error)]()

    func add(_ index: Int, _ error: Error) {
        lock.withLock { errors.append((index, error)) }
    }

    var first: Error? {
        lock.withLock { errors.min { $0.0 < $1.0 }?.1 }
    }
}
