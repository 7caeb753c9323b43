// CurvesFigure: loss or accuracy per epoch from the training log, training and test as two lines.

import Drawing
import LearnedFilters

/// One measure per epoch as a line chart: the training figure (a mean over the epoch's batches
/// with dropout active) and the test figure after the epoch.
package struct CurvesFigure: Figure, Sendable {
    /// Which measure to plot.
    package enum Measure: String, Sendable, CaseIterable {
        case loss, accuracy
    }

    package var records: [EpochRecord]
    package var measure: Measure
    package var size: Size

    package static let trainingColor = Color(hex: 0x2166AC), testColor = Color(hex: 0xD6604D)

    package init(
        records: [EpochRecord], measure: Measure, size: Size = Size(width: 560, height: 340)
    ) {
        self.records = records
        self.measure = measure
        self.size = size
    }

    /// The chart: two series over the epochs.
    package var chart: LineChart {
        let training = records.map {
            Point(x: Double($0.epoch), y: measure == .loss ? $0.loss : $0.accuracy)
        }
        let test = records.map {
            Point(x: Double($0.epoch), y: measure == .loss ? $0.testLoss : $0.testAccuracy)
        }
        return LineChart(
            series: [
                .init(
                    name: "training (dropout on)", points: training,
                    color: CurvesFigure.trainingColor),
                .init(name: "test", points: test, color: CurvesFigure.testColor),
            ], title: measure == .loss ? "Cross-entropy loss per epoch" : "Accuracy per epoch",
            xLabel: "epoch",
            yLabel: measure.rawValue, wholeNumberX: true)
    }

    /// Where the chart is drawn.
    package var chartRect: Rect { FigureStyle.chartRect(size: size) }

    package func draw(on canvas: Canvas) {
        chart.draw(on: canvas, in: chartRect)
    }
}
