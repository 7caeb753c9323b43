// `convkit visualize`: a trained model's filters, or one input's feature maps, as figures.

import ArgumentParser
import Drawing
import Foundation
import ImageIO
import LearnedFilters
import ModelExchange
import Visualization

struct Visualize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Draw what a trained model learned: its convolution filters or one input's feature maps.",
        discussion: """
            Layers are named as in the model summary (conv2d, max_pooling2d, conv2d_1, ...) or by
            the tutorial's short names conv1, conv2 (convolutions in order) and pool1, pool2.
            Figures are PNG, SVG or PDF, chosen by the output file's extension.
            """,
        subcommands: [VisualizeFilters.self, VisualizeActivations.self]
    )
}

struct VisualizeFilters: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters",
        abstract: "Draw every filter of a convolution layer as a tile of weight squares.",
        discussion: """
            Signed weights use the diverging blue-white-red map on a symmetric range (white is 0),
            with a colour bar. A layer with one input channel shows one tile per filter; a layer
            with several shows a filter x input-channel grid, or one summary tile per filter with
            --reduce mean (signed) or norm (unsigned, viridis).
            """
    )

    @Argument(help: "Model file (convkit .safetensors, Keras .keras or .weights.h5, a state dict).")
    var model: String

    @OptionGroup var source: ModelSourceOptions

    @Option(name: .shortAndLong, help: "Figure to write (.png, .svg or .pdf).")
    var output: String = "filters.png"

    @Option(
        name: .long,
        help: ArgumentHelp("Convolution layer (default: the first).", valueName: "NAME"))
    var layer: String?

    @Option(name: .long, help: "Summarise the input channels of each filter: mean or norm.")
    var reduce: KernelReduction?

    @Option(
        name: .long, help: "One colour range for the layer (shared) or one per filter (per-filter)."
    )
    var scale: FilterFigure.Scaling = .shared

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Side of one weight's square in pixels (default: 48 per tile, 4 in the full grid).",
            valueName: "N"))
    var cellSize: Double?

    func validate() throws {
        do { _ = try FigureFormat(path: output) } catch let error as DrawingError {
            throw ValidationError(error.description)
        }
        if let cellSize, !(1...256).contains(cellSize) {
            throw ValidationError("--cell-size must be 1 to 256, got \(cellSize)")
        }
    }

    func run() throws {
        let network = try source.open(model).model
        let inspection = ModelInspection(model: network, classNames: network.classNames)
        let (conv, weights) = try inspection.kernel(layer: layer)
        let name = inspection.displayName(of: conv)
        let kernel = "\(weights.height)x\(weights.width)"
        var title = "\(name): \(weights.filters) filters, \(kernel)x\(weights.inputChannels)"
        if let reduce, weights.inputChannels > 1 {
            title += ", \(reduce.rawValue) over input channels"
        } else if weights.inputChannels > 1 {
            title =
                "\(name): \(weights.filters) filters x \(weights.inputChannels) input channels, \(kernel)"
        }
        if scale == .perFilter { title += ", scaled per filter" }
        let figure = FilterFigure(
            weights: weights, title: title, scaling: scale, reduction: reduce, cellSize: cellSize)
        try figure.write(to: output)
        print(
            "\(output): \(Int(figure.size.width.rounded(.up)))x\(Int(figure.size.height.rounded(.up))), \(title)"
        )
    }
}

struct VisualizeActivations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations",
        abstract:
            "Draw the feature maps of every convolution and pooling layer for one input image.",
        discussion: """
            The image is prepared as 'convkit predict' prepares it; --test-index N takes test
            image N of the dataset (--dataset, --data) instead. Writes one figure per layer
            (conv1.png, pool1.png, ...: the input, the predicted class and every channel's map on
            the layer's viridis scale) and probabilities.png into the output folder.
            """
    )

    @Argument(help: "Model file (convkit .safetensors, Keras .keras or .weights.h5, a state dict).")
    var model: String

    @OptionGroup var source: ModelSourceOptions

    @Argument(help: "PNG image of one digit (or use --test-index).")
    var image: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Take the input from the test set instead: sample N (from 0).", valueName: "N"))
    var testIndex: Int?

    @OptionGroup var data: DatasetOptions

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Folder to write the figures into (created if needed).", valueName: "DIR"))
    var output: String = "activations"

    @Option(name: .long, help: "Figure format: png, svg or pdf.")
    var format: FigureFormat = .png

    @OptionGroup var reading: ReadOptions

    func validate() throws {
        guard (image == nil) != (testIndex == nil) else {
            throw ValidationError("give either an IMAGE or --test-index N")
        }
        if let testIndex, testIndex < 0 {
            throw ValidationError("--test-index must be 0 or more, got \(testIndex)")
        }
    }

    func run() throws {
        let network = try source.open(model).model
        let inspection = ModelInspection(
            model: network, classNames: network.classNames ?? data.dataset.classNames)
        let shape = inspection.model.inputShape
        guard shape.count == 3, shape[2] == 1, shape[0] == shape[1] else {
            throw CLIError(
                "\(model): activations need a model of square grey inputs, this one takes \(shape)")
        }
        let (input, truth) = try readInput(side: shape[0])
        let trace = try inspection.trace(input)
        let names = inspection.classNames
        var prediction =
            "\(names[trace.predicted]) (p = \(String(format: "%.3f", trace.probabilities[trace.predicted])))"
        if let truth, truth < names.count { prediction += ", true: \(names[truth])" }
        try Report.makeFolder(output)
        for (index, map) in trace.maps.enumerated() {
            let name = (inspection.shortName(of: map.layer) ?? map.layer.name)
            let path = "\(output)/\(name).\(format.rawValue)"
            let title =
                "\(inspection.displayName(of: map.layer)): \(map.shape[0])x\(map.shape[1])x\(map.shape[2])"
            try ActivationFigure(
                values: map.values, shape: map.shape, title: title, input: input,
                inputSide: shape[0],
                prediction: prediction
            ).write(to: path)
            print("\(path): layer \(index + 1), \(title)")
        }
        let chart = BarChart(
            categories: names.map { $0.count <= 3 ? $0 : String($0.prefix(3)) },
            values: trace.probabilities,
            title: "Class probabilities: predicted \(prediction)", xLabel: "class",
            yLabel: "probability")
        let canvas = try Canvas(width: 560, height: 340, format: format)
        chart.draw(on: canvas, in: Rect(x: 8, y: 8, width: 544, height: 324))
        let path = "\(output)/probabilities.\(format.rawValue)"
        try canvas.write(to: path)
        print("\(path): predicted \(prediction)")
    }
}

extension VisualizeActivations {
    /// The input values, and the true class when the input comes from the test set.
    private func readInput(side: Int) throws -> (values: [Float], label: Int?) {
        if let image {
            let picture = try ImageFile.read(path: image, maxPixels: reading.maxPixels)
            return (DigitImage.mnistInput(from: picture, side: side), nil)
        }
        let index = testIndex ?? 0
        let test = try data.loadTest()
        guard index < test.count else {
            throw CLIError(
                "--test-index \(index) is beyond the \(test.count) test images in \(data.folder)")
        }
        guard test.shape == [side, side, 1] else {
            throw CLIError(
                "\(model): the model takes \(side)x\(side) inputs, the dataset has \(test.shape)")
        }
        let size = side * side
        return (Array(test.images[index * size..<(index + 1) * size]), test.labels[index])
    }
}
