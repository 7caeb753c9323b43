// DiagramValues: the numbers of a numerical diagram: input cells, kernel weights and outputs.

import ConvkitSupport

/// Small whole numbers for the input and kernel, and the outputs they give, so a reader can
/// check a frame by mental arithmetic. Values are fixed by a seed, so every run draws the same.
/// Padding is 0 for a convolution and average pooling, and -inf for max pooling, as PyTorch's
/// `max_pool2d` pads: padding never wins a max.
package struct DiagramValues: Sendable, Equatable {
    /// Values of the parameters' input grid, row by row, 0 to 3.
    package let input: [Double]
    /// Kernel weights, row by row, 0 to 2 (empty for pooling).
    package let kernel: [Double]
    /// Output values, row by row.
    package let output: [Double]

    package init(geometry: DiagramGeometry, seed: UInt64 = 20_160_323) {
        let p = geometry.parameters
        var generator = SeededGenerator(seed: seed)
        let input = (0..<p.input.cellCount).map { _ in Double(generator.next() % 4) }
        let kernel =
            p.pooling == nil
            ? (0..<p.kernel.cellCount).map { _ in Double(generator.next() % 3) } : []
        self.init(geometry: geometry, input: input, kernel: kernel)
    }

    /// The outputs of `input` (the input grid's values, row by row) and `kernel` (the kernel's
    /// weights, empty for pooling).
    package init(geometry: DiagramGeometry, input: [Double], kernel: [Double]) {
        let p = geometry.parameters
        self.input = input
        self.kernel = kernel
        let padding = Self.padding(p.pooling)
        var results = [Double]()
        results.reserveCapacity(geometry.frameCount)
        for frame in 0..<geometry.frameCount {
            let window = geometry.footprint(of: geometry.outputCell(frame: frame)).map {
                cell -> Double in
                guard let source = geometry.inputCell(at: cell) else { return padding }
                return input[source.row * p.input.columns + source.column]
            }
            switch p.pooling {
            case .max: results.append(window.max() ?? padding)
            case .avg: results.append(window.reduce(0, +) / Double(max(window.count, 1)))
            case nil: results.append(zip(window, kernel).reduce(0) { $0 + $1.0 * $1.1 })
            }
        }
        output = results
    }

    /// The value of a padding cell: -inf for max pooling (PyTorch's), else 0.
    static func padding(_ pooling: Pooling?) -> Double { pooling == .max ? -.infinity : 0 }

    /// The value of a bottom-grid cell (the padding's value for padding, 0 for inserted zeros).
    package func bottomValue(_ cell: GridCell, geometry: DiagramGeometry) -> Double {
        guard let source = geometry.inputCell(at: cell) else {
            return Self.padding(geometry.parameters.pooling)
        }
        return input[source.row * geometry.parameters.input.columns + source.column]
    }

    /// A value as the diagram writes it: whole numbers without decimals, others with one.
    /// Infinities are written `∞` and `−∞`.
    package static func format(_ value: Double) -> String {
        if value.isInfinite { return value < 0 ? "−∞" : "∞" }
        if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        let tenths = (value * 10).rounded() / 10
        let whole = Int(tenths.rounded(.towardZero))
        let fraction = Int((abs(tenths - Double(whole)) * 10).rounded())
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}
