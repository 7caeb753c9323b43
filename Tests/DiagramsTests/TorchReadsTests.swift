// TorchReadsTests: every frame's footprint, output size and numbers against PyTorch's index
// arithmetic (scripts/make-diagram-fixtures.py: one-hot inputs through conv2d,
// conv_transpose2d and avg_pool2d).

import ConvkitTestSupport
import Convolution
import Testing

@testable import Diagrams

/// One case of `Fixtures/reads.json`; sizes are (rows, columns).
struct TorchReadsCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let input: [Int]
    let kernel: [Int]
    let stride: [Int]
    let dilation: [Int]
    /// Top, bottom, left, right.
    let padding: [Int]
    let transposed: Bool
    let outputPadding: [Int]
    let pooling: String?
    /// PyTorch's output size; absent when PyTorch refuses the case.
    let output: [Int]?
    /// Per output cell in row order: [input row, input column, tap row, tap column] with the tap
    /// indexing PyTorch's weight (0, 0 for pooling).
    let reads: [[[Int]]]?
    /// The cell count average pooling divides by.
    let divisor: Int?
    let error: Bool?

    enum CodingKeys: String, CodingKey {
        case name, input, kernel, stride, dilation, padding, transposed, pooling, output, reads
        case divisor, error
        case outputPadding = "output_padding"
    }

    var testDescription: String { name }

    var parameters: DiagramParameters {
        func pair(_ values: [Int]) -> AxisPair { AxisPair(rows: values[0], columns: values[1]) }
        return DiagramParameters(
            input: pair(input), kernel: pair(kernel), stride: pair(stride),
            dilation: pair(dilation),
            padding: Padding(
                top: padding[0], bottom: padding[1], left: padding[2], right: padding[3]),
            transposed: transposed, outputPadding: pair(outputPadding),
            pooling: pooling.flatMap(Pooling.init(rawValue:)), showValues: true)
    }

    private struct File: Decodable { let cases: [TorchReadsCase] }

    static let all: [TorchReadsCase] =
        (try? FixtureFolder(bundle: .module).decode(File.self, from: "reads.json").cases) ?? []
}

/// One case of `Fixtures/reads.json`'s `max_pool_values`: whole numbers, some negative, and
/// PyTorch's max pooling of them padded with -inf (written "-inf").
struct TorchMaxPoolCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let input: [Int]
    let kernel: [Int]
    let stride: [Int]
    /// Top, bottom, left, right.
    let padding: [Int]
    let values: [Double]
    let output: [Int]
    let outputs: [Number]

    /// A number, or "-inf".
    struct Number: Decodable, Sendable {
        let value: Double
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self), text == "-inf" {
                value = -.infinity
            } else {
                value = try container.decode(Double.self)
            }
        }
    }

    var testDescription: String { name }

    var parameters: DiagramParameters {
        func pair(_ values: [Int]) -> AxisPair { AxisPair(rows: values[0], columns: values[1]) }
        return DiagramParameters(
            input: pair(input), kernel: pair(kernel), stride: pair(stride),
            padding: Padding(
                top: padding[0], bottom: padding[1], left: padding[2], right: padding[3]),
            pooling: .max)
    }

    private struct File: Decodable {
        let cases: [TorchMaxPoolCase]
        enum CodingKeys: String, CodingKey { case cases = "max_pool_values" }
    }

    static let all: [TorchMaxPoolCase] =
        (try? FixtureFolder(bundle: .module).decode(File.self, from: "reads.json").cases) ?? []
}

struct TorchReadsTests {
    @Test func fixtureIsThere() {
        #expect(TorchReadsCase.all.count >= 20)
    }

    /// The input cells a frame shades, each with the kernel tap drawn on it, are those PyTorch's
    /// output cell reads; a transposed convolution is drawn with its kernel flipped, as the
    /// equivalent direct convolution uses it.
    @Test(arguments: TorchReadsCase.all) func footprintsReadWhatPyTorchReads(_ c: TorchReadsCase)
        throws
    {
        guard let output = c.output, let reads = c.reads else {
            #expect(throws: DiagramError.self) { try DiagramGeometry(c.parameters) }
            return
        }
        let geometry = try DiagramGeometry(c.parameters)
        #expect(geometry.output == AxisPair(rows: output[0], columns: output[1]))
        #expect(geometry.frameCount == reads.count)
        for frame in 0..<min(geometry.frameCount, reads.count) {
            let kernel = c.parameters.kernel
            var drawn = [[Int]]()
            for (index, cell) in geometry.footprint(of: geometry.outputCell(frame: frame))
                .enumerated()
            {
                guard let source = geometry.inputCell(at: cell) else { continue }
                var tap = [index / kernel.columns, index % kernel.columns]
                if c.transposed { tap = [kernel.rows - 1 - tap[0], kernel.columns - 1 - tap[1]] }
                if c.pooling != nil { tap = [0, 0] }
                drawn.append([source.row, source.column] + tap)
            }
            #expect(
                drawn.sorted { $0.lexicographicallyPrecedes($1) } == reads[frame],
                "frame \(frame + 1)")
        }
    }

    /// Max pooling pads with -inf, as PyTorch's `max_pool2d` does: padding never wins a max,
    /// so negative inputs beside padding give PyTorch's numbers, a window of padding alone gives
    /// -inf (written "−∞"), and the padding cells read "−∞".
    @Test(arguments: TorchMaxPoolCase.all) func maxPoolingNumbersArePyTorchs(_ c: TorchMaxPoolCase)
        throws
    {
        let geometry = try DiagramGeometry(c.parameters)
        #expect(geometry.output == AxisPair(rows: c.output[0], columns: c.output[1]))
        let values = DiagramValues(geometry: geometry, input: c.values, kernel: [])
        #expect(values.output == c.outputs.map(\.value))
        let padding = GridCell(row: 0, column: 0)
        if geometry.inputCell(at: padding) == nil {
            #expect(DiagramValues.format(values.bottomValue(padding, geometry: geometry)) == "−∞")
        }
    }

    @Test func maxPoolFixtureIsThere() {
        #expect(TorchMaxPoolCase.all.count == 3)
    }

    /// The numbers in the output cells are what the input values and drawn weights give through
    /// PyTorch's reads.
    @Test(arguments: TorchReadsCase.all.filter { $0.reads != nil })
    func outputNumbersFollowPyTorchsReads(_ c: TorchReadsCase) throws {
        let geometry = try DiagramGeometry(c.parameters)
        let values = DiagramValues(geometry: geometry)
        let p = c.parameters
        for (frame, cellReads) in (c.reads ?? []).enumerated() where frame < values.output.count {
            let inputs = cellReads.map { values.input[$0[0] * p.input.columns + $0[1]] }
            let expected: Double
            switch p.pooling {
            case .max?: expected = inputs.max() ?? 0
            case .avg?: expected = inputs.reduce(0, +) / Double(c.divisor ?? 1)
            case nil:
                expected = zip(cellReads, inputs).reduce(0) { sum, pair in
                    var (i, j) = (pair.0[2], pair.0[3])
                    if p.transposed { (i, j) = (p.kernel.rows - 1 - i, p.kernel.columns - 1 - j) }
                    return sum + pair.1 * values.kernel[i * p.kernel.columns + j]
                }
            }
            #expect(abs(values.output[frame] - expected) < 1e-12, "frame \(frame + 1)")
        }
    }
}
