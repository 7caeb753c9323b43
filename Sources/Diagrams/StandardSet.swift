// StandardSet: the fifteen animations of Dumoulin & Visin's guide, plus numerical and pooling
// examples, as named parameter sets.

import Convolution

/// One named figure of the standard set.
public struct StandardDiagram: Sendable, Equatable {
    /// File stem, as in the `conv_arithmetic` repository where the figure exists there.
    public let name: String
    /// A short description for the gallery.
    public let summary: String
    /// What the figure shows.
    public let parameters: DiagramParameters
}

/// The standard figures: the guide's convolution arithmetic, plus numerical and pooling examples.
public enum StandardSet {
    /// The guide's convolution cases (input, kernel, stride, padding) and their transposed
    /// counterparts, the dilation case, and numerical convolution and pooling examples.
    public static let diagrams: [StandardDiagram] = {
        func conv(
            _ name: String, _ summary: String, i: Int, k: Int, s: Int = 1, p: Int = 0, d: Int = 1,
            transposed: Bool = false, a: Int = 0, pooling: Pooling? = nil, values: Bool = false
        ) -> StandardDiagram {
            StandardDiagram(
                name: name, summary: summary,
                parameters: DiagramParameters(
                    input: AxisPair(i), kernel: AxisPair(k), stride: AxisPair(s),
                    dilation: AxisPair(d), padding: Padding(all: p),
                    transposed: transposed, outputPadding: AxisPair(a), pooling: pooling,
                    showValues: values))
        }
        return [
            conv("no_padding_no_strides", "No padding, unit strides", i: 4, k: 3),
            conv(
                "arbitrary_padding_no_strides", "Arbitrary padding, unit strides", i: 5, k: 4, p: 2),
            conv("same_padding_no_strides", "Half (same) padding, unit strides", i: 5, k: 3, p: 1),
            conv("full_padding_no_strides", "Full padding, unit strides", i: 5, k: 3, p: 2),
            conv("no_padding_strides", "No padding, strides", i: 5, k: 3, s: 2),
            conv("padding_strides", "Padding, strides", i: 5, k: 3, s: 2, p: 1),
            conv("padding_strides_odd", "Padding, strides (odd)", i: 6, k: 3, s: 2, p: 1),
            conv("dilation", "Dilated convolution", i: 7, k: 3, d: 2),
            conv(
                "no_padding_no_strides_transposed", "Transposed: no padding, unit strides", i: 2,
                k: 3, transposed: true),
            conv(
                "arbitrary_padding_no_strides_transposed",
                "Transposed: arbitrary padding, unit strides",
                i: 6, k: 4, p: 2, transposed: true),
            conv(
                "same_padding_no_strides_transposed",
                "Transposed: half (same) padding, unit strides",
                i: 5, k: 3, p: 1, transposed: true),
            conv(
                "full_padding_no_strides_transposed", "Transposed: full padding, unit strides",
                i: 7, k: 3, p: 2, transposed: true),
            conv(
                "no_padding_strides_transposed", "Transposed: no padding, strides", i: 2, k: 3,
                s: 2, transposed: true),
            conv(
                "padding_strides_transposed", "Transposed: padding, strides", i: 3, k: 3, s: 2,
                p: 1, transposed: true),
            conv(
                "padding_strides_odd_transposed", "Transposed: padding, strides (odd)",
                i: 3, k: 3, s: 2, p: 1, transposed: true, a: 1),
            conv(
                "numerical_no_padding_no_strides", "Numerical convolution", i: 5, k: 3, values: true
            ),
            conv(
                "numerical_padding_strides", "Numerical convolution with padding and strides", i: 5,
                k: 3, s: 2, p: 1,
                values: true),
            conv("numerical_max_pooling", "Max pooling 3x3, stride 1", i: 5, k: 3, pooling: .max),
            conv(
                "numerical_average_pooling", "Average pooling 3x3, stride 1", i: 5, k: 3,
                pooling: .avg),
        ]
    }()
}
