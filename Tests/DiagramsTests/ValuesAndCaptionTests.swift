// ValuesAndCaptionTests: numerical diagrams compute their outputs from their own windows, and
// captions evaluate the output-size formula for the parameters.

import Convolution
import Testing

@testable import Diagrams

struct ValuesAndCaptionTests {
    @Test func poolingAndConvolutionOutputs() throws {
        for pooling in [Pooling.max, .avg, nil] {
            let geometry = try DiagramGeometry(
                DiagramParameters(
                    input: AxisPair(5), kernel: AxisPair(3), stride: AxisPair(2),
                    padding: Padding(all: 1), pooling: pooling, showValues: true))
            let values = DiagramValues(geometry: geometry)
            #expect(values.input.allSatisfy { (0...3).contains($0) })
            for frame in 0..<geometry.frameCount {
                let cell = geometry.outputCell(frame: frame)
                // Window read directly from the 5x5 input with padding 1, independent of footprint().
                var window = [Double]()
                for i in 0..<3 {
                    for j in 0..<3 {
                        let r = cell.row * 2 + i - 1
                        let c = cell.column * 2 + j - 1
                        window.append(
                            (0..<5).contains(r) && (0..<5).contains(c) ? values.input[r * 5 + c] : 0
                        )
                    }
                }
                let expected: Double =
                    switch pooling {
                    case .max: window.max() ?? 0
                    case .avg: window.reduce(0, +) / 9
                    case nil: zip(window, values.kernel).map { $0 * $1 }.reduce(0, +)
                    }
                #expect(abs(values.output[frame] - expected) < 1e-12)
            }
        }
    }

    @Test func valuesAreReproducible() throws {
        let geometry = try DiagramGeometry(
            DiagramParameters(input: AxisPair(4), kernel: AxisPair(2), showValues: true))
        #expect(DiagramValues(geometry: geometry) == DiagramValues(geometry: geometry))
        #expect(
            DiagramValues.format(3) == "3" && DiagramValues.format(1.25) == "1.3"
                && DiagramValues.format(-0.4) == "-0.4")
    }

    @Test func formulaCaptions() throws {
        func caption(_ p: DiagramParameters) throws -> DiagramCaption {
            DiagramCaption(geometry: try DiagramGeometry(p))
        }
        let strided = try caption(
            DiagramParameters(
                input: AxisPair(5), kernel: AxisPair(3), stride: AxisPair(2),
                padding: Padding(all: 1)))
        #expect(strided.formula == ["o = floor((5 + 2*1 - 3)/2) + 1 = 3"])
        #expect(strided.title == "Convolution: input 5x5, kernel 3x3, stride 2, padding 1")
        #expect(
            strided.inputLabel == "input 5x5 padded to 7x7" && strided.outputLabel == "output 3x3")
        let dilated = try caption(
            DiagramParameters(input: AxisPair(7), kernel: AxisPair(3), dilation: AxisPair(2)))
        #expect(dilated.formula == ["o = 7 - 2*(3 - 1) - 1 + 1 = 3"])
        let oblong = try caption(
            DiagramParameters(
                input: AxisPair(rows: 6, columns: 4), kernel: AxisPair(3),
                padding: Padding(top: 0, bottom: 1, left: 1, right: 1)))
        #expect(
            oblong.formula == [
                "rows: o = 6 + 0 + 1 - 3 + 1 = 5", "columns: o = 4 + 2*1 - 3 + 1 = 4",
            ])
        let transposed = try caption(
            DiagramParameters(
                input: AxisPair(3), kernel: AxisPair(3), stride: AxisPair(2),
                padding: Padding(all: 1), transposed: true, outputPadding: AxisPair(1)))
        #expect(transposed.formula.first == "o = (3 - 1)*2 - 2*1 + 3 + 1 = 6")
        #expect(transposed.title.hasPrefix("Transposed convolution"))
        let pooled = try caption(
            DiagramParameters(
                input: AxisPair(4), kernel: AxisPair(2), stride: AxisPair(2), pooling: .max))
        #expect(pooled.title == "Max pooling: input 4x4, window 2x2, stride 2")
        #expect(pooled.formula == ["o = floor((4 - 2)/2) + 1 = 2"])
    }

    @Test func galleryPageListsEveryDiagram() {
        let page = Gallery.html(diagrams: StandardSet.diagrams, style: DiagramStyle())
        #expect(StandardSet.diagrams.count == 19)
        for diagram in StandardSet.diagrams {
            #expect(page.contains("src=\"\(diagram.name).gif\""))
            #expect(page.contains("href=\"\(diagram.name).svg\""))
        }
        #expect(page.contains("convkit diagram --input 5 --kernel 3 --stride 2 --padding 1"))
    }
}
