// DiagramCaption: the title, grid labels and the output-size formula evaluated for the figure.

import Convolution

/// The words of a diagram.
public struct DiagramCaption: Sendable, Equatable {
    /// What is shown and with which parameters, e.g. "Convolution: input 5x5, kernel 3x3, stride 2, padding 1".
    public let title: String
    /// The label of the bottom grid.
    public let inputLabel: String
    /// The label of the top grid.
    public let outputLabel: String
    /// The output-size formula evaluated per axis (one line when both axes agree).
    public let formula: [String]

    package init(geometry: DiagramGeometry) {
        let p = geometry.parameters
        let kind: String =
            switch (p.pooling, p.transposed) {
            case (.max?, _): "Max pooling"
            case (.avg?, _): "Average pooling"
            case (nil, true): "Transposed convolution"
            case (nil, false): "Convolution"
            }
        var parts = [
            "input \(Self.size(p.input))",
            "\(p.pooling == nil ? "kernel" : "window") \(Self.size(p.kernel))",
            "stride \(p.stride)",
        ]
        if p.padding != Padding(all: 0) || p.pooling == nil {
            parts.append("padding \(Self.padding(p.padding))")
        }
        if p.dilation != AxisPair(1) { parts.append("dilation \(p.dilation)") }
        if p.outputPadding != AxisPair(0) { parts.append("output padding \(p.outputPadding)") }
        title = "\(kind): " + parts.joined(separator: ", ")

        let bottomNote: String
        if p.transposed {
            let zeros = AxisPair(
                rows: geometry.insertionStep.rows - 1, columns: geometry.insertionStep.columns - 1)
            var notes = [String]()
            if zeros != AxisPair(0) {
                notes.append("\(zeros) zero\(zeros == AxisPair(1) ? "" : "s") between cells")
            }
            if geometry.padding != Padding(all: 0) {
                notes.append("padding \(Self.padding(geometry.padding))")
            }
            bottomNote = notes.isEmpty ? "" : " (" + notes.joined(separator: ", ") + ")"
        } else {
            bottomNote =
                p.padding == Padding(all: 0) ? "" : " padded to \(Self.size(geometry.bottom))"
        }
        inputLabel = "input \(Self.size(p.input))" + bottomNote
        outputLabel = "output \(Self.size(geometry.output))"

        let rows = Self.formula(p, axis: 0, output: geometry.output.rows)
        let columns = Self.formula(p, axis: 1, output: geometry.output.columns)
        var lines = rows == columns ? [rows] : ["rows: " + rows, "columns: " + columns]
        if p.transposed {
            lines.append(
                "drawn as the equivalent stride-1 convolution; inserted zeros and padding dashed")
        }
        formula = lines
    }

    /// `5x5`, `4x6` (width x height).
    static func size(_ size: AxisPair) -> String { "\(size.columns)x\(size.rows)" }

    static func padding(_ padding: Padding) -> String {
        if padding.isUniform { return "\(padding.top)" }
        return "\(padding.top),\(padding.bottom),\(padding.left),\(padding.right)"
    }

    /// One axis's formula with the numbers filled in, e.g. `o = floor((5 + 2*1 - 3)/2) + 1 = 3`.
    static func formula(_ p: DiagramParameters, axis: Int, output: Int) -> String {
        let pick = { (size: AxisPair) in axis == 0 ? size.rows : size.columns }
        let i = pick(p.input)
        let k = pick(p.kernel)
        let s = pick(p.stride)
        let d = pick(p.dilation)
        let before = axis == 0 ? p.padding.top : p.padding.left
        let after = axis == 0 ? p.padding.bottom : p.padding.right
        let paddingTerm =
            before == after ? (before == 0 ? "" : "2*\(before)") : "\(before) + \(after)"
        if p.transposed {
            let a = pick(p.outputPadding)
            var text = s == 1 ? "\(i) - 1" : "(\(i) - 1)*\(s)"
            if before == after, before > 0 { text += " - 2*\(before)" }
            if before != after { text += " - \(before) - \(after)" }
            text += d == 1 ? " + \(k)" : " + \(d)*(\(k) - 1) + 1"
            if a > 0 { text += " + \(a)" }
            return "o = \(text) = \(output)"
        }
        var inner = "\(i)"
        if !paddingTerm.isEmpty { inner += " + " + paddingTerm }
        inner += d == 1 ? " - \(k)" : " - \(d)*(\(k) - 1) - 1"
        if s == 1 { return "o = \(inner) + 1 = \(output)" }
        return "o = floor((\(inner))/\(s)) + 1 = \(output)"
    }
}
