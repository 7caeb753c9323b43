// PatternSearch: activation maximisation: gradient ascent on the input for many units at once.

import ConvkitSupport

/// The settings of a ``Model/maximizeActivations(layer:units:settings:progress:)`` run.
public struct PatternSettings: Sendable, Equatable {
    /// Gradient-ascent steps.
    public var steps: Int = 100
    /// Step size in input units: each step moves every image by `learningRate` times its
    /// gradient divided by the gradient's root mean square.
    public var learningRate: Float = 0.05
    /// L2 decay: each step first multiplies the image by `1 - decay`.
    public var decay: Float = 0.01
    /// Largest random shift (in pixels, each axis) of the image before each gradient step.
    public var jitter: Int = 1
    /// A 3x3 blur ([1 2 1] / 4 each way) every this many steps (0: never).
    public var blurEvery: Int = 4
    /// The target activation is measured (on the unshifted image) every this many steps.
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
}

extension Model {
    /// For each of `units` of layer `layer`, the input that maximises its activation, found
    /// by gradient ascent from a seeded grey-plus-noise start, all units in one batch (one
    /// forward and one backward pass per step serve them all).
    ///
    /// The activation of unit `u` is the mean of channel `u` over the layer's feature map
    /// (`[h, w, c]` outputs) or output `u` itself (flat outputs: a class logit for the last
    /// layer). Each step: multiply by `1 - decay`, shift by a random offset up to `jitter`
    /// (wrapping around), take the gradient, shift it back, add `learningRate` times the
    /// gradient over its root mean square, clip to 0...1; every `blurEvery` steps, blur.
    /// Deterministic for a given seed and thread count.
    /// - Throws: ``LearnedFiltersError/badInput(_:)`` for a layer or unit out of range, or
    ///   settings out of range.
    public func maximizeActivations(
        layer: Int, units: [Int], settings: PatternSettings,
        progress: ((Int) -> Void)? = nil
    ) throws -> PatternResult {
        guard layers.indices.contains(layer), inputShape.count == 3 else {
            throw LearnedFiltersError.badInput(
                "patterns need image inputs and a layer in 0..<\(layers.count)")
        }
        let outputShape = layers[layer].outputShape
        let width = outputShape.last ?? 0
        guard !units.isEmpty, units.allSatisfy({ (0..<width).contains($0) }) else {
            throw LearnedFiltersError.badInput("\(layers[layer].name) has units 0..<\(width)")
        }
        guard settings.steps >= 0, settings.learningRate > 0, settings.learningRate.isFinite,
            (0..<1).contains(settings.decay), settings.jitter >= 0, settings.blurEvery >= 0,
            settings.logEvery > 0
        else {
            throw LearnedFiltersError.badInput("pattern settings out of range: \(settings)")
        }
        let count = units.count
        let size = inputShape.reduce(1, *)
        var generator = SeededGenerator(seed: settings.seed)
        var images = (0..<count * size).map { _ in 0.5 + 0.1 * (generator.nextUnitFloat() * 2 - 1) }
        let spatial = outputShape.dropLast().reduce(1, *)
        func seed(_ output: Tensor) -> Tensor {
            var gradient = Tensor(zeros: output.shape)
            for (row, unit) in units.enumerated() {
                for pixel in 0..<spatial {
                    gradient.values[(row * spatial + pixel) * width + unit] = 1 / Float(spatial)
                }
            }
            return gradient
        }
        func activations(_ values: [Float]) throws -> [Float] {
            var output = Tensor(zeros: [0])
            _ = try inputGradient(
                Tensor(shape: [count] + inputShape, values: values), throughLayer: layer
            ) {
                output = $0
                return seed($0)
            }
            return units.enumerated().map { row, unit in
                var sum: Float = 0
                for pixel in 0..<spatial {
                    sum += output.values[(row * spatial + pixel) * width + unit]
                }
                return sum / Float(spatial)
            }
        }
        var loggedSteps = [0]
        var log = [try activations(images)]
        let (height, columns, channels) = (inputShape[0], inputShape[1], inputShape[2])
        for step in 1...max(settings.steps, 1) where settings.steps > 0 {
            let dy =
                settings.jitter == 0
                ? 0 : Int(generator.next() % UInt64(2 * settings.jitter + 1)) - settings.jitter
            let dx =
                settings.jitter == 0
                ? 0 : Int(generator.next() % UInt64(2 * settings.jitter + 1)) - settings.jitter
            let shifted = PatternOps.roll(
                images, count: count, height: height, width: columns, channels: channels, dy: dy,
                dx: dx)
            let pass = try inputGradient(
                Tensor(shape: [count] + inputShape, values: shifted), throughLayer: layer,
                seed: seed)
            let gradient = PatternOps.roll(
                pass.input.values, count: count, height: height, width: columns, channels: channels,
                dy: -dy, dx: -dx)
            PatternOps.ascend(
                &images, gradient: gradient, count: count, rate: settings.learningRate,
                decay: settings.decay)
            if settings.blurEvery > 0, step % settings.blurEvery == 0 {
                PatternOps.blur(
                    &images, count: count, height: height, width: columns, channels: channels)
            }
            if step % settings.logEvery == 0 || step == settings.steps {
                loggedSteps.append(step)
                log.append(try activations(images))
            }
            progress?(step)
        }
        guard images.allSatisfy({ $0.isFinite }) else {
            throw LearnedFiltersError.badInput("the pattern search diverged (non-finite values)")
        }
        return PatternResult(
            images: (0..<count).map { Array(images[$0 * size..<($0 + 1) * size]) },
            activations: log[log.count - 1], loggedSteps: loggedSteps, log: log)
    }
}

/// The image operations of a pattern search, on a batch of NHWC images.
enum PatternOps {
    /// The images shifted by `dy` rows and `dx` columns, wrapping around.
    static func roll(
        _ values: [Float], count: Int, height: Int, width: Int, channels: Int, dy: Int, dx: Int
    ) -> [Float] {
        guard dy != 0 || dx != 0 else { return values }
        var output = values
        for n in 0..<count {
            for y in 0..<height {
                let sy = ((y - dy) % height + height) % height
                for x in 0..<width {
                    let sx = ((x - dx) % width + width) % width
                    for c in 0..<channels {
                        output[((n * height + y) * width + x) * channels + c] =
                            values[((n * height + sy) * width + sx) * channels + c]
                    }
                }
            }
        }
        return output
    }

    /// One ascent step per image: decay, add `rate` times the gradient over its root mean
    /// square, clip to 0...1.
    static func ascend(
        _ images: inout [Float], gradient: [Float], count: Int, rate: Float, decay: Float
    ) {
        let size = images.count / max(count, 1)
        for n in 0..<count {
            let range = n * size..<(n + 1) * size
            var squares: Double = 0
            for index in range { squares += Double(gradient[index]) * Double(gradient[index]) }
            let rms = Float((squares / Double(size)).squareRoot())
            let scale = rms > 0 ? rate / rms : 0
            for index in range {
                images[index] = min(
                    max(images[index] * (1 - decay) + scale * gradient[index], 0), 1)
            }
        }
    }

    /// A 3x3 blur, [1 2 1] / 4 along each axis with clamped edges.
    static func blur(_ images: inout [Float], count: Int, height: Int, width: Int, channels: Int) {
        var rows = images
        for n in 0..<count {
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<channels {
                        func at(_ xx: Int) -> Float {
                            images[
                                ((n * height + y) * width + min(max(xx, 0), width - 1)) * channels
                                    + c]
                        }
                        rows[((n * height + y) * width + x) * channels + c] =
                            (at(x - 1) + 2 * at(x) + at(x + 1)) / 4
                    }
                }
            }
        }
        for n in 0..<count {
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<channels {
                        func at(_ yy: Int) -> Float {
                            rows[
                                ((n * height + min(max(yy, 0), height - 1)) * width + x) * channels
                                    + c]
                        }
                        images[((n * height + y) * width + x) * channels + c] =
                            (at(y - 1) + 2 * at(y) + at(y + 1)) / 4
                    }
                }
            }
        }
    }
}
