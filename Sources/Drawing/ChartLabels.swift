// ChartLabels: the title and axis labels that bar and line charts write around their plot.

/// The title above a chart and the labels of its two axes; an empty string draws nothing.
public struct ChartLabels: Sendable, Equatable {
    /// The title above the plot.
    public var title: String
    /// The label of the horizontal axis.
    public var xLabel: String
    /// The label of the vertical axis.
    public var yLabel: String

    /// A title and axis labels, each empty unless given.
    public init(title: String = "", xLabel: String = "", yLabel: String = "") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }
}

/// A chart with a title and axis labels, kept together in ``LabelledChart/labels``.
public protocol LabelledChart {
    /// The chart's title and axis labels.
    var labels: ChartLabels { get set }
}

extension LabelledChart {
    /// The title above the plot.
    public var title: String {
        get { labels.title }
        set { labels.title = newValue }
    }
    /// The label of the horizontal axis.
    public var xLabel: String {
        get { labels.xLabel }
        set { labels.xLabel = newValue }
    }
    /// The label of the vertical axis.
    public var yLabel: String {
        get { labels.yLabel }
        set { labels.yLabel = newValue }
    }
}
