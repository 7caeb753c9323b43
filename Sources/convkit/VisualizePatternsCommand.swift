// `convkit visualize patterns`: the input each filter (or class) of a layer responds to most.

import ArgumentParser
import ConvkitSupport
import Drawing
import Foundation
import LearnedFilters
import Visualization

struct VisualizePatterns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract: "Draw the input pattern that most excites each filter or class of a layer.",
        usage: "convkit visualize patterns <model> [<options>] -o <file>",
        discussion: """
            Activation maximisation: for each filter of a convolution layer (its mean \
            activation) or each output of a dense layer (a class logit for the last layer), \
            gradient ascent on the input from a seeded grey-plus-noise start, with L2 decay, \
            a random shift of up to --jitter pixels per step and a 3x3 blur every --blur-every \
            steps; pixel values stay in 0...1. All units are searched in one batch. Each tile \
            shows the pattern (white is 1) and the activation it reaches. Same seed and \
            --threads, same figure.

            Examples:
              convkit visualize patterns model.safetensors --layer conv2 -o conv2-patterns.png
              convkit visualize patterns model.safetensors --layer dense_1 --class 7 -o seven.png
            """
    )

    @Argument(help: .modelFile) var model: String

    @OptionGroup var source: ModelSourceOptions

    @Option(name: .shortAndLong, help: .figureFile) var output: String = "patterns.png"

    @Option(
        help: ArgumentHelp(
            "Convolution or dense layer (default: the last convolution).", valueName: "name"))
    var layer: String?

    @Option(
        name: .customLong("class"),
        valueHelp: "Only this output of a dense layer (default: all of them).", valueName: "C")
    var unit: Int?

    @Option(valueHelp: "Gradient-ascent steps.")
    var steps: Int = 100

    @Option(valueHelp: "Step size in pixel values (the gradient is divided by its RMS).")
    var learningRate: NumberArgument = NumberArgument(0.05)

    @Option(valueHelp: "L2 decay per step.")
    var decay: NumberArgument = NumberArgument(0.01)

    @Option(valueHelp: "Largest random shift per step, pixels.")
    var jitter: Int = 1

    @Option(valueHelp: "Blur every N steps (0: never).")
    var blurEvery: Int = 4

    @Option(name: .customLong("seed"), valueHelp: "Seed of the start noise and shifts.")
    var seedGiven = SeedArgument(1)

    /// `--seed`, once validate() has checked it.
    var seed: UInt64 { seedGiven.value ?? 1 }

    @Option(
        valueHelp: "Threads for convkit's loops and OpenBLAS (default: every core).",
        valueName: "N")
    var threads: Int?

    func validate() throws {
        _ = try OutputPaths.format(of: output, among: FigureFormat.allCases, what: "a figure")
        guard (1...100_000).contains(steps) else {
            throw ValidationError("--steps must be 1 to 100000, got \(steps)")
        }
        _ = try seedGiven.required(option: "--seed")
        try learningRate.require(1e-6...100, option: "--learning-rate")
        guard decay.value.isFinite, decay.value >= 0, decay.value < 1 else {
            throw ValidationError(
                "--decay must be at least 0 and below 1, got \(plainNumber(decay.value))")
        }
        guard (0...8).contains(jitter) else {
            throw ValidationError("--jitter must be 0 to 8 pixels, got \(jitter)")
        }
        guard blurEvery >= 0 else {
            throw ValidationError("--blur-every must be 0 or more, got \(blurEvery)")
        }
        if let unit, unit < 0 { throw ValidationError("--class must be 0 or more, got \(unit)") }
        try WorkerThreads.require(threads)
    }

    func run() throws {
        Threads.set(threads)
        let inspection = try InputFiles.inspection(model, source: source)
        let network = inspection.model
        let shape = network.imageShape
        guard shape.count == 3, [1, 3].contains(shape[2]) else {
            throw CLIError(
                "\(model): patterns need a model of grey or colour images, this one takes \(network.inputShape)"
            )
        }
        let target = try targetLayer(inspection)
        guard let index = network.layers.firstIndex(where: { $0 === target }) else {
            throw CLIError("\(model): \(target.name) is not a layer of the model")
        }
        let width = target.outputShape.last ?? 0
        let units: [Int]
        if let unit {
            guard target is Dense else {
                throw ValidationError(
                    "--class picks an output of a dense layer; \(inspection.displayName(of: target)) is a convolution"
                )
            }
            guard unit < width else {
                throw ValidationError("--class \(unit) is beyond \(target.name)'s \(width) outputs")
            }
            units = [unit]
        } else {
            units = Array(0..<width)
        }
        var settings = PatternSettings()
        settings.steps = steps
        settings.learningRate = Float(learningRate.value)
        settings.decay = Float(decay.value)
        settings.jitter = jitter
        settings.blurEvery = blurEvery
        settings.seed = seed
        let progress = BatchProgress(total: steps, unit: "steps")
        let start = Date()
        let result = try network.maximizeActivations(
            layer: index, units: units, settings: settings
        ) { _ in progress.advance() }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let isLast = index == network.layers.count - 1
        let labels = units.map { isLast ? inspection.classNames[$0] : String($0) }
        let what =
            target is Conv2D
            ? counted(units.count, "filter")
            : isLast ? counted(units.count, "class", "classes") : counted(units.count, "unit")
        let title =
            "\(inspection.displayName(of: target)): patterns of \(what), \(steps) steps, seed \(seed)"
        try PatternFigure(
            images: result.images, shape: shape, labels: labels,
            activations: result.activations, title: title
        ).write(to: output)
        let best = result.activations.max() ?? 0
        print(
            "\(output): \(title); activations \(PatternFigure.number(result.activations.min() ?? 0)) to \(PatternFigure.number(best)); searched in \(String(format: "%.2f", seconds)) s"
        )
    }

    /// The layer --layer names (the last convolution by default); only convolution and dense
    /// layers have units to maximise.
    private func targetLayer(_ inspection: ModelInspection) throws -> any Layer {
        guard let layer else {
            guard let last = inspection.convolutions.last else {
                throw CLIError(
                    "\(model): the model has no convolution layer; name a dense one with --layer")
            }
            return last
        }
        let found = try inspection.layer(named: layer)
        guard found is Conv2D || found is Dense else {
            let names = inspection.model.layers.filter { $0 is Conv2D || $0 is Dense }
                .map { inspection.displayName(of: $0) }
            throw CLIError(
                "\(model): \(layer) has no filters or units to maximise; name a convolution or dense layer (\(names.joined(separator: ", ")))"
            )
        }
        return found
    }
}
