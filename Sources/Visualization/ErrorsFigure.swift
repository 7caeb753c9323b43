// ErrorsFigure: the number of misclassified test images of each true class, as a bar chart.

import Drawing

/// A bar per true class with its misclassified count written above it.
public struct ErrorsFigure: Figure, Sendable {
    public var matrix: ConfusionMatrix
    public var size: Size

    public init(matrix: ConfusionMatrix, size: Size = Size(width: 560, height: 340)) {
        self.matrix = matrix
        self.size = size
    }

    /// The chart: class indices as categories when the names are long.
    public var chart: BarChart {
        let names =
            matrix.classNames.allSatisfy { $0.count <= 3 }
            ? matrix.classNames : matrix.classNames.indices.map(String.init)
        let errors = matrix.errorsPerClass
        return BarChart(
            categories: names, values: errors.map(Double.init),
            title:
                "Misclassified test images per true class (\(errors.reduce(0, +)) of \(matrix.total))",
            xLabel: "true class", yLabel: "misclassified", color: Color(hex: 0xB2182B))
    }

    /// Where the chart is drawn.
    public var chartRect: Rect {
        Rect(
            x: FigureStyle.margin / 2, y: FigureStyle.margin / 2,
            width: size.width - FigureStyle.margin,
            height: size.height - FigureStyle.margin)
    }

    public func draw(on canvas: Canvas) {
        chart.draw(on: canvas, in: chartRect)
    }
}
