// GeometryTests: output sizes, frame counts, cell kinds and kernel footprints as data, against
// the figures of Dumoulin & Visin's guide and a brute-force count of kernel positions.

import Convolution
import Testing

@testable import Diagrams

struct GeometryTests {
    /// The guide's cases with the output sizes printed in its figures (bottom grid for the
    /// transposed ones: the input with zeros inserted and padded).
    static let guide: [(name: String, output: Int, bottom: Int)] = [
        ("no_padding_no_strides", 2, 4), ("arbitrary_padding_no_strides", 6, 9),
        ("same_padding_no_strides", 5, 7), ("full_padding_no_strides", 7, 9),
        ("no_padding_strides", 2, 5), ("padding_strides", 3, 7), ("padding_strides_odd", 3, 8),
        ("dilation", 3, 7),
        ("no_padding_no_strides_transposed", 4, 6),
        ("arbitrary_padding_no_strides_transposed", 5, 8),
        ("same_padding_no_strides_transposed", 5, 7), ("full_padding_no_strides_transposed", 5, 7),
        ("no_padding_strides_transposed", 5, 7), ("padding_strides_transposed", 5, 7),
        ("padding_strides_odd_transposed", 6, 8),
    ]

    @Test func theGuidesTable() throws {
        for (name, output, bottom) in Self.guide {
            let diagram = try #require(StandardSet.diagrams.first { $0.name == name }, "\(name)")
            let geometry = try DiagramGeometry(diagram.parameters)
            #expect(geometry.output == AxisPair(output), "\(name)")
            #expect(geometry.bottom == AxisPair(bottom), "\(name)")
            #expect(geometry.frameCount == output * output, "\(name)")
        }
    }

    @Test func issueExamples() throws {
        let strided = try DiagramGeometry(
            DiagramParameters(
                input: AxisPair(5), kernel: AxisPair(3), stride: AxisPair(2),
                padding: Padding(all: 1)))
        #expect(strided.output == AxisPair(3) && strided.frameCount == 9)
        let full = try DiagramGeometry(
            DiagramParameters(input: AxisPair(5), kernel: AxisPair(3), padding: Padding(all: 2)))
        #expect(full.output == AxisPair(7) && full.frameCount == 49)
    }

    /// A transposed convolution undoes the shape of its direct convolution: its frames (its
    /// output cells) are the cells of the direct convolution's input.
    @Test func transposedFramesAreTheDirectInputCells() throws {
        for diagram in StandardSet.diagrams where diagram.parameters.transposed {
            let p = diagram.parameters
            let geometry = try DiagramGeometry(p)
            let direct = try DiagramGeometry(
                DiagramParameters(
                    input: geometry.output, kernel: p.kernel, stride: p.stride,
                    dilation: p.dilation, padding: p.padding))
            #expect(direct.output == p.input, "\(diagram.name)")
            #expect(geometry.frameCount == direct.parameters.input.cellCount, "\(diagram.name)")
        }
    }

    /// Counting the positions where the dilated kernel fits, stepping by the stride, gives
    /// the output size for every combination in a small range.
    @Test func outputSizesMatchABruteForceCount() throws {
        for i in 1...7 {
            for k in 1...4 {
                for s in 1...3 {
                    for d in 1...2 {
                        for (before, after) in [(0, 0), (1, 1), (0, 2), (2, 1)] {
                            let parameters = DiagramParameters(
                                input: AxisPair(rows: i, columns: 3),
                                kernel: AxisPair(rows: k, columns: 1),
                                stride: AxisPair(rows: s, columns: 1),
                                dilation: AxisPair(rows: d, columns: 1),
                                padding: Padding(top: before, bottom: after, left: 0, right: 0))
                            let padded = i + before + after
                            let positions = stride(from: 0, to: padded, by: s).filter {
                                $0 + d * (k - 1) < padded
                            }.count
                            if positions == 0 {
                                #expect(throws: DiagramError.self) {
                                    try DiagramGeometry(parameters)
                                }
                                continue
                            }
                            let geometry = try DiagramGeometry(parameters)
                            #expect(
                                geometry.output.rows == positions,
                                "i=\(i) k=\(k) s=\(s) d=\(d) p=\(before),\(after)")
                            #expect(geometry.output.columns == 3)
                            let last =
                                geometry.footprint(of: GridCell(row: positions - 1, column: 0)).map(
                                    \.row
                                ).max() ?? 0
                            #expect(last < geometry.bottom.rows)
                        }
                    }
                }
            }
        }
    }

    @Test func footprintWithStrideAndPadding() throws {
        let geometry = try DiagramGeometry(
            DiagramParameters(
                input: AxisPair(5), kernel: AxisPair(3), stride: AxisPair(2),
                padding: Padding(all: 1)))
        let cells = geometry.footprint(of: GridCell(row: 1, column: 2))
        #expect(cells.count == 9)
        #expect(
            cells.first == GridCell(row: 2, column: 4) && cells.last == GridCell(row: 4, column: 6))
        #expect(Set(cells.map(\.row)) == [2, 3, 4] && Set(cells.map(\.column)) == [4, 5, 6])
        #expect(geometry.kind(of: GridCell(row: 0, column: 3)) == .padding)
        #expect(geometry.kind(of: GridCell(row: 3, column: 6)) == .padding)
        #expect(geometry.kind(of: GridCell(row: 3, column: 5)) == .input)
        #expect(geometry.inputCell(at: GridCell(row: 3, column: 5)) == GridCell(row: 2, column: 4))
    }

    @Test func footprintWithDilationShadesEveryOtherCell() throws {
        let geometry = try DiagramGeometry(
            DiagramParameters(input: AxisPair(7), kernel: AxisPair(3), dilation: AxisPair(2)))
        let cells = geometry.footprint(of: GridCell(row: 0, column: 1))
        #expect(
            cells
                == [(0, 1), (0, 3), (0, 5), (2, 1), (2, 3), (2, 5), (4, 1), (4, 3), (4, 5)].map {
                    GridCell(row: $0.0, column: $0.1)
                })
        #expect(geometry.span == AxisPair(5))
    }

    @Test func transposedCellsInsertZerosAndPad() throws {
        // 3x3 input, kernel 3, stride 2, padding 1, output padding 1: zeros between the input
        // cells, one ring of padding before and two after.
        let geometry = try DiagramGeometry(
            DiagramParameters(
                input: AxisPair(3), kernel: AxisPair(3), stride: AxisPair(2),
                padding: Padding(all: 1), transposed: true, outputPadding: AxisPair(1)))
        #expect(geometry.bottom == AxisPair(8) && geometry.output == AxisPair(6))
        #expect(geometry.padding == Padding(top: 1, bottom: 2, left: 1, right: 2))
        #expect(geometry.drawnStride == AxisPair(1))
        let inputs = geometry.bottomCells.filter { $0.kind == .input }.map(\.cell)
        #expect(
            inputs == [1, 3, 5].flatMap { r in [1, 3, 5].map { GridCell(row: r, column: $0) } })
        #expect(geometry.kind(of: GridCell(row: 1, column: 2)) == .insertedZero)
        #expect(geometry.kind(of: GridCell(row: 2, column: 2)) == .insertedZero)
        #expect(geometry.kind(of: GridCell(row: 6, column: 6)) == .padding)
        #expect(geometry.bottomCells.filter { $0.kind == .insertedZero }.count == 25 - 9)
        #expect(
            geometry.footprint(of: GridCell(row: 5, column: 5)).last == GridCell(row: 7, column: 7))
    }

    @Test func nonSquareEverything() throws {
        let geometry = try DiagramGeometry(
            DiagramParameters(
                input: AxisPair(rows: 6, columns: 4), kernel: AxisPair(rows: 3, columns: 2),
                stride: AxisPair(rows: 1, columns: 2),
                padding: Padding(top: 1, bottom: 0, left: 0, right: 1)))
        #expect(geometry.bottom == AxisPair(rows: 7, columns: 5))
        #expect(geometry.output == AxisPair(rows: 5, columns: 2))
        #expect(geometry.outputCell(frame: 3) == GridCell(row: 1, column: 1))
        #expect(
            geometry.footprint(of: GridCell(row: 1, column: 1))
                == [(1, 2), (1, 3), (2, 2), (2, 3), (3, 2), (3, 3)].map {
                    GridCell(row: $0.0, column: $0.1)
                })
    }

    @Test func namedPaddings() throws {
        #expect(
            try NamedPadding.same.padding(kernel: AxisPair(3), dilation: AxisPair(1))
                == Padding(all: 1)
        )
        #expect(
            try NamedPadding.same.padding(kernel: AxisPair(4), dilation: AxisPair(1))
                == Padding(top: 1, bottom: 2, left: 1, right: 2))
        #expect(
            try NamedPadding.full.padding(kernel: AxisPair(3), dilation: AxisPair(2))
                == Padding(all: 4)
        )
        #expect(
            try NamedPadding.valid.padding(kernel: AxisPair(5), dilation: AxisPair(1))
                == Padding(all: 0))
    }

    /// A named padding is worked out from the kernel and dilation before the parameters are
    /// checked, so it checks them itself: `d*(k-1)+1` must not overflow.
    @Test func namedPaddingRefusesHugeSizesInsteadOfOverflowing() {
        for (kernel, dilation) in [(Int.max / 2, 4), (3, Int.max), (Int.max, 1)] {
            for name in NamedPadding.allCases {
                #expect(throws: DiagramError.self) {
                    try name.padding(kernel: AxisPair(kernel), dilation: AxisPair(dilation))
                }
            }
        }
    }

    @Test func badParametersAreRefused() {
        let bad: [DiagramParameters] = [
            DiagramParameters(input: AxisPair(5), kernel: AxisPair(0)),
            DiagramParameters(
                input: AxisPair(5), kernel: AxisPair(3), stride: AxisPair(rows: 0, columns: 1)),
            DiagramParameters(input: AxisPair(3), kernel: AxisPair(5)),
            DiagramParameters(
                input: AxisPair(5), kernel: AxisPair(3),
                padding: Padding(top: -1, bottom: 0, left: 0, right: 0)),
            DiagramParameters(input: AxisPair(500), kernel: AxisPair(3)),
            DiagramParameters(
                input: AxisPair(3), kernel: AxisPair(3), stride: AxisPair(2), transposed: true,
                outputPadding: AxisPair(2)),
            DiagramParameters(
                input: AxisPair(3), kernel: AxisPair(3), padding: Padding(all: 3), transposed: true),
            DiagramParameters(input: AxisPair(5), kernel: AxisPair(3), outputPadding: AxisPair(1)),
            DiagramParameters(
                input: AxisPair(5), kernel: AxisPair(3), transposed: true, pooling: .max),
        ]
        for parameters in bad {
            #expect(throws: DiagramError.self, "\(parameters)") { try DiagramGeometry(parameters) }
        }
    }
}
