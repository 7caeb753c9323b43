// ModelFigureTests: feature maps of a model with known weights, predictions against Evaluation, and
// a whole report from a small trained model.

import ConvkitTestSupport
import Drawing
import Foundation
import ImageIO
import LearnedFilters
import Testing

@testable import Visualization

struct ModelFigureTests {
    /// conv1 passes the input through on channel 0 and its negation (zeroed by the ReLU) on
    /// channel 1; pool1 takes 2x2 maxima.
    static func knownModel() throws -> ModelInspection {
        let model = try Model(
            architecture: LayerSpec.parse("conv2d:2:3x3:same:relu,maxpool:2,flatten,dense:3"),
            inputShape: [6, 6, 1], seed: 3)
        let conv = try #require(model.layers.first as? Conv2D)
        var kernel = [Float](repeating: 0, count: 18)
        kernel[(1 * 3 + 1) * 2 + 0] = 1
        kernel[(1 * 3 + 1) * 2 + 1] = -1
        conv.kernel.value = kernel
        return ModelInspection(model: model, classNames: ["a", "b", "c"])
    }

    static let input: [Float] = (0..<36).map { Float(($0 * 11) % 36) / 35 }

    @Test func layersAnswerToKerasAndShortNames() throws {
        let inspection = try Self.knownModel()
        #expect(try inspection.layer(named: "conv1") === inspection.layer(named: "conv2d"))
        #expect(try inspection.layer(named: "pool1").name == "max_pooling2d")
        #expect(
            inspection.displayName(of: try inspection.layer(named: "conv1")) == "conv2d (conv1)")
        #expect(throws: VisualizationError.self) { try inspection.kernel(layer: "pool1") }
        #expect(
            throws: VisualizationError.noSuchLayer(
                name: "conv3",
                available: ["conv2d (conv1)", "max_pooling2d (pool1)", "flatten", "dense"])
        ) {
            try inspection.layer(named: "conv3")
        }
        let (layer, weights) = try inspection.kernel(layer: nil)
        #expect(layer.name == "conv2d" && weights.weight(y: 1, x: 1, channel: 0, filter: 1) == -1)
    }

    @Test func traceKeepsEveryFeatureMap() throws {
        let inspection = try Self.knownModel()
        let trace = try inspection.trace(Self.input)
        #expect(trace.maps.map(\.shape) == [[6, 6, 2], [3, 3, 2]])
        let conv = trace.maps[0].values
        #expect(stride(from: 0, to: 72, by: 2).map { conv[$0] } == Self.input)
        #expect(stride(from: 1, to: 72, by: 2).allSatisfy { conv[$0] == 0 })
        let pool = trace.maps[1].values
        for y in 0..<3 {
            for x in 0..<3 {
                let block = [0, 1, 6, 7].map { Self.input[(2 * y) * 6 + 2 * x + $0] }
                #expect(pool[(y * 3 + x) * 2] == block.max())
            }
        }
        #expect(abs(trace.probabilities.reduce(0, +) - 1) < 1e-9)
        #expect(trace.probabilities[trace.predicted] == trace.probabilities.max())
        #expect(throws: VisualizationError.self) { try inspection.trace([0, 1]) }
    }

    @Test func activationFigureColoursEachMapOnTheLayerScale() throws {
        let inspection = try Self.knownModel()
        let map = try inspection.trace(Self.input).maps[0]
        let figure = try ActivationFigure(
            values: map.values, shape: map.shape, title: "conv2d (conv1): 6x6x2",
            input: Self.input, inputShape: [6, 6, 1], prediction: "b (p = 0.400)")
        // 6x6 maps enlarged 9x to 54 units.
        #expect(figure.tileRect(channel: 1).width == 54)
        let image = try figure.render().image()
        #expect(
            image.width == Int(figure.size.width.rounded(.up))
                && image.height == Int(figure.size.height.rounded(.up)))
        let brightest = try #require(Self.input.indices.max { Self.input[$0] < Self.input[$1] })
        let tile0 = figure.tileRect(channel: 0)
        let tile1 = figure.tileRect(channel: 1)
        let bx = Double(brightest % 6) * 9 + 4.5
        let by = Double(brightest / 6) * 9 + 4.5
        #expect(image.rgb(Int(tile0.x + bx), Int(tile0.y + by)) == [0xFD, 0xE7, 0x25])
        #expect(image.rgb(Int(tile1.x + bx), Int(tile1.y + by)) == [0x44, 0x01, 0x54])
        // The input is drawn in grey: its brightest pixel white.
        let input = figure.inputRect
        #expect(
            image.rgb(
                Int(input.x + Double(brightest % 6) * 14 + 7),
                Int(input.y + Double(brightest / 6) * 14 + 7)) == [255, 255, 255])
        #expect(throws: VisualizationError.self) {
            try ActivationFigure(
                values: [0, 1], shape: [1, 1, 1], title: "", input: [0], inputShape: [1, 1, 1],
                prediction: "")
        }
    }

    @Test func activationFigureIsAsWideAsItsPrediction() throws {
        // A folder's long class names once ran off the figure's right edge.
        let prediction =
            "klasse_00_très_longue_étiquette_ñ (p = 0.034), true: klasse_00_très_longue_étiquette_ñ"
        let figure = try ActivationFigure(
            values: [0, 1], shape: [1, 2, 1], title: "conv2d (conv1)", input: [0, 1, 0, 1],
            inputShape: [2, 2, 1], prediction: prediction)
        let text = Canvas.measure("predicted: " + prediction, font: Font(size: 14)).width
        #expect(figure.size.width >= figure.inputRect.maxX + 16 + text)
    }

    /// A 2-row, 4-column RGB input: red, green, blue and white above a black row.
    static let colourInput: [Float] =
        [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1] + Array(repeating: 0, count: 12)
    static let colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]

    /// The colour at the centre of column `column` of the top row of a 4x2 input drawn in `rect`.
    static func topRow(_ image: Image, _ rect: Rect, column: Int) -> [Int] {
        let cell = rect.width / 4
        return image.rgb(Int(rect.x + (Double(column) + 0.5) * cell), Int(rect.y + cell / 2))
    }

    @Test func colourAndOblongInputsAreDrawnAsTheyAre() throws {
        let figure = try ActivationFigure(
            values: [0, 1], shape: [1, 2, 1], title: "t", input: Self.colourInput,
            inputShape: [2, 4, 3], prediction: "p")
        let rect = figure.inputRect
        #expect(abs(rect.width / rect.height - 2) < 1e-9)
        let image = try figure.render().image()
        for column in 0..<4 {
            #expect(Self.topRow(image, rect, column: column) == Self.colours[column])
        }
        // Saliency maps of a colour model: the input panel in colour, the maps over its grey.
        let model = try Model(
            architecture: try LayerSpec.parse("conv2d:2:3x3:same:relu,flatten,dense:2"),
            inputShape: [2, 4, 3], seed: 3)
        let maps = try #require(
            try model.attributions(of: [Self.colourInput], targets: [0]).first)
        #expect(maps.height == 2 && maps.width == 4)
        let saliency = try SaliencyFigure(input: Self.colourInput, maps: maps, title: "t")
        let drawn = try saliency.render().image()
        let panel = saliency.panelRect(0)
        let input = Rect(
            x: panel.x, y: panel.y + panel.height / 4, width: panel.width, height: panel.height / 2)
        for column in 0..<4 {
            #expect(Self.topRow(drawn, input, column: column) == Self.colours[column])
        }
        #expect(throws: VisualizationError.self) {
            try SaliencyFigure(input: [0, 1], maps: maps, title: "t")
        }
    }

    @Test func predictionsAgreeWithEvaluation() throws {
        let model = try tinyTrainedModel()
        let test = try #require(mnist).test.prefix(2000)
        let predictions = try TestSetPredictions(model: model, data: test)
        let evaluation = try Evaluation(model: model, data: test)
        let matrix = try ConfusionMatrix(
            labels: test.labels, predictions: predictions.predictions,
            classNames: (0...9).map(String.init))
        #expect(matrix.counts == evaluation.confusion)
        #expect(matrix.total == 2000)
        #expect(abs(predictions.loss - evaluation.loss) < 1e-4)
    }

    @Test func reportReferencesEveryFigureItWrites() throws {
        let model = try tinyTrainedModel()
        let test = try #require(mnist).test.prefix(1000)
        let folder = try temporaryFolder("vis")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let records = [
            EpochRecord(
                epoch: 1, loss: 1.2, accuracy: 0.6, testLoss: 0.7, testAccuracy: 0.8, seconds: 2)
        ]
        let result = try Report.write(
            inspection: ModelInspection(model: model), modelName: "tiny.safetensors",
            datasetName: "mnist", test: test, records: records, to: folder + "/out")
        #expect(result.files.last == "index.html")
        let figures = try shownFigures(inReport: folder + "/out")
        #expect(Set(figures.keys) == reportFigures)
        #expect(figures.values.allSatisfy { $0.width > 100 && $0.height > 100 })
        // The CSV's cells sum to the number of test images and agree with an independent pass.
        let csv = try String(contentsOfFile: folder + "/out/confusion.csv", encoding: .utf8)
        let cells = csv.split(separator: "\n").dropFirst().flatMap {
            $0.split(separator: ",").dropFirst().compactMap { Int($0) }
        }
        #expect(cells.reduce(0, +) == 1000)
        #expect(try Evaluation(model: model, data: test).confusion.joined().elementsEqual(cells))
        let probabilities = try model.probabilities(
            Tensor(shape: [1000, 28, 28, 1], values: test.images))
        let predicted = probabilities.map { row in row.indices.max { row[$0] < row[$1] } ?? 0 }
        let wrong = test.labels.indices.filter { test.labels[$0] != predicted[$0] }
        #expect(result.misclassified == wrong)
        let listed = try String(contentsOfFile: folder + "/out/misclassified.csv", encoding: .utf8)
            .split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: ",")[0]) }
        #expect(listed == wrong)
        #expect(abs(result.accuracy - Double(1000 - wrong.count) / 1000) < 1e-12)
    }
}
