// ErrorsFigure: the number of misclassified test images of each true class, as a bar chart.

import Drawing

/// A bar per true class with its misclassified count written above it.
package struct ErrorsFigure: Figure, Sendable {
    package var matrix: ConfusionMatrix
    package var size: Size

    package init(matrix: ConfusionMatrix, size: Size = Size(width: 560, height: 340)) {
        self.matrix = matrix
        self.size = size
    }

    /// The chart: class indices as categories when the names are long.
    package var chart: BarChart {
        let names = ClassLabels.axis(matrix.classNames)
        let errors = matrix.errorsPerClass
        return BarChart(
            categories: names, values: errors.map(Double.init),
            title:
                "Misclassified test images per true class (\(errors.reduce(0, +)) of \(matrix.total))",
            xLabel: "true class", yLabel: "misclassified", color: Color(hex: 0xB2182B),
            wholeNumbers: true)
    }

    /// Where the chart is drawn.
    package var chartRect: Rect { FigureStyle.chartRect(size: size) }

    package func draw(on canvas: Canvas) {
        chart.draw(on: canvas, in: chartRect)
    }
}
