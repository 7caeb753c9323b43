// PatternSearch: activation maximisation: gradient ascent on the input for many units at once.

import ConvkitSupport

/// The settings of a ``Model/maximizeActivations(layer:units:settings:progress:)`` run.
public struct PatternSettings: Sendable, Equatable {
    /// Gradient-ascent steps.
    public var steps: Int = 100
    /// Step size in input units: a full step moves an image by this times its gradient divided
    /// by the gradient's root mean square (a step that would lower the activation is retried
    /// at half the size on the next step).
    public var learningRate: Float = 0.05
    /// L2 decay: a full step first multiplies the image by `1 - decay`.
    public var decay: Float = 0.01
    /// Largest random shift (in pixels, each axis) of the image before each gradient step.
    public var jitter: Int = 1
    /// A 3x3 blur ([1 2 1] / 4 each way) every this many steps (0: never).
    public var blurEvery: Int = 4
    /// The target activations are logged every this many steps.
    public var logEvery: Int = 10
    /// Seed of the starting noise and the shifts.
    public var seed: UInt64 = 1

    public init() {}
}

/// What a pattern search found.
public struct PatternResult: Sendable {
    /// One image per unit, of the model's input shape, values in 0...1.
    public var images: [[Float]]
    /// The target activation each image reaches.
    public var activations: [Float]
    /// The steps at which the activations were logged (0 is the start; the last is the end).
    public var loggedSteps: [Int]
    /// `log[k][i]`: unit `i`'s activation at `loggedSteps[k]`.
    public var log: [[Float]]
    /// How many steps each unit's image kept (the others would have lowered its activation).
    public var keptSteps: [Int]
}

extension Model {
    /// For each of `units` of layer `layer`, the input that maximises its activation, found
    /// by gradient ascent from a seeded grey-plus-noise start, all units in one batch (one
    /// backward pass per step serves them all, and one forward pass measures every candidate).
    ///
    /// The activation of unit `u` is the mean of channel `u` over the layer's feature map
    /// (`[h, w, c]` outputs) or output `u` itself (flat outputs: a class logit for the last
    /// layer). A step builds a candidate image: shift the image by a random offset up to
    /// `jitter` (wrapping around), take the gradient there and shift it back; multiply the
    /// image by `1 - decay`, add `learningRate` times the gradient over its root mean square,
    /// clip to 0...1, and every `blurEvery` steps replace it by its 3x3 blur. The regularisers
    /// are part of the step, and the step is projected: the candidate replaces the image only
    /// if the unit's activation on the (unshifted) candidate is at least the image's. A refused
    /// step halves that image's step (its rate, and with it the decay and the blur's share), a
    /// kept one doubles it again up to the full step. So the activation never falls from one
    /// step to the next, and a small step still climbs. Deterministic for a given seed and
    /// thread count.
    /// - Throws: ``LearnedFiltersError/badInput(_:)`` for a layer or unit out of range,
    ///   settings out of range, or a search that reaches non-finite values.
    public func maximizeActivations(
        layer: Int, units: [Int], settings: PatternSettings,
        progress: ((Int) -> Void)? = nil
    ) throws -> PatternResult {
        let imageShape = self.imageShape
        guard layers.indices.contains(layer), imageShape.count == 3 else {
            throw LearnedFiltersError.badInput(
                "patterns need image inputs and a layer in 0..<\(layers.count)")
        }
        let objective = UnitObjective(units: units, outputShape: layers[layer].outputShape)
        guard !units.isEmpty, units.allSatisfy({ (0..<objective.width).contains($0) }) else {
            throw LearnedFiltersError.badInput(
                "\(layers[layer].name) has units 0..<\(objective.width)")
        }
        guard settings.steps >= 0, settings.learningRate > 0, settings.learningRate.isFinite,
            (0..<1).contains(settings.decay), settings.jitter >= 0, settings.blurEvery >= 0,
            settings.logEvery > 0
        else {
            throw LearnedFiltersError.badInput("pattern settings out of range: \(settings)")
        }
        let count = units.count
        let size = inputShape.reduce(1, *)
        let shape = (
            count: count, height: imageShape[0], width: imageShape[1], channels: imageShape[2]
        )
        var generator = SeededGenerator(seed: settings.seed)
        var images = (0..<count * size).map { _ in 0.5 + 0.1 * (generator.nextUnitFloat() * 2 - 1) }
        var current = objective.measure(try output(of: images, throughLayer: layer))
        var rates = [Float](repeating: settings.learningRate, count: count)
        var kept = [Int](repeating: 0, count: count)
        var loggedSteps = [0]
        var log = [current]
        for step in stride(from: 1, through: settings.steps, by: 1) {
            let (dy, dx) = (shift(settings.jitter, &generator), shift(settings.jitter, &generator))
            let pass = try inputGradient(
                Tensor(shape: [count] + inputShape, values: PatternOps.roll(images, shape, dy, dx)),
                throughLayer: layer, seed: objective.seed)
            var candidate = images
            PatternOps.ascend(
                &candidate, gradient: PatternOps.roll(pass.input.values, shape, -dy, -dx),
                count: count, rates: rates, fullRate: settings.learningRate, decay: settings.decay)
            if settings.blurEvery > 0, step % settings.blurEvery == 0 {
                PatternOps.blur(
                    &candidate, shape, amounts: rates.map { $0 / settings.learningRate })
            }
            let reached = objective.measure(try output(of: candidate, throughLayer: layer))
            for row in 0..<count {
                if reached[row] >= current[row] {
                    images.replaceSubrange(
                        row * size..<(row + 1) * size,
                        with: candidate[row * size..<(row + 1) * size])
                    current[row] = reached[row]
                    rates[row] = min(rates[row] * 2, settings.learningRate)
                    kept[row] += 1
                } else {
                    rates[row] /= 2
                }
            }
            if step % settings.logEvery == 0 || step == settings.steps {
                loggedSteps.append(step)
                log.append(current)
            }
            progress?(step)
        }
        guard images.allSatisfy({ $0.isFinite }), current.allSatisfy({ $0.isFinite }) else {
            throw LearnedFiltersError.badInput("the pattern search diverged (non-finite values)")
        }
        return PatternResult(
            images: (0..<count).map { Array(images[$0 * size..<($0 + 1) * size]) },
            activations: current, loggedSteps: loggedSteps, log: log, keptSteps: kept)
    }

    /// The output of layer `last` for a batch of images, in inference mode.
    private func output(of images: [Float], throughLayer last: Int) throws -> Tensor {
        try output(
            of: Tensor(
                shape: [images.count / inputShape.reduce(1, *)] + inputShape, values: images),
            throughLayer: last)
    }

    /// A random shift in `-jitter...jitter` (0 without drawing when `jitter` is 0).
    private func shift(_ jitter: Int, _ generator: inout SeededGenerator) -> Int {
        jitter == 0 ? 0 : Int(generator.next() % UInt64(2 * jitter + 1)) - jitter
    }
}

/// The quantity a pattern search raises for each image of the batch: the mean of one channel
/// of a feature map, or one output of a flat layer.
struct UnitObjective {
    /// The unit of each image of the batch.
    let units: [Int]
    /// Positions per sample (1 for a flat output).
    let spatial: Int
    /// Channels (or outputs) per position.
    let width: Int

    init(units: [Int], outputShape: [Int]) {
        self.units = units
        width = outputShape.last ?? 0
        spatial = outputShape.dropLast().reduce(1, *)
    }

    /// Each image's unit activation in a layer output `[count] + outputShape`.
    func measure(_ output: Tensor) -> [Float] {
        units.enumerated().map { row, unit in
            var sum: Float = 0
            for pixel in 0..<spatial {
                sum += output.values[(row * spatial + pixel) * width + unit]
            }
            return sum / Float(spatial)
        }
    }

    /// The gradient of ``measure(_:)`` with respect to the layer output (one unit per image).
    func seed(_ output: Tensor) -> Tensor {
        var gradient = Tensor(zeros: output.shape)
        for (row, unit) in units.enumerated() {
            for pixel in 0..<spatial {
                gradient.values[(row * spatial + pixel) * width + unit] = 1 / Float(spatial)
            }
        }
        return gradient
    }
}
