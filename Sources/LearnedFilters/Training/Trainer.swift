// Trainer: epochs of shuffled mini-batches with Adam, per-epoch records, and checkpoints.

import ConvkitSupport

/// Hyper-parameters of a training run (Keras defaults of the tutorial).
public struct TrainingConfiguration: Sendable, Equatable {
    /// Epochs to train.
    public var epochs = 10
    /// Samples per mini-batch.
    public var batchSize = 256
    /// The optimizer's hyper-parameters.
    public var adam = AdamConfiguration()
    /// Seeds the shuffling and the dropout masks (the weights take theirs from the model).
    public var seed: UInt64 = 1
    /// Fast paths or the reference loops.
    public var implementation = Implementation.fast

    // Written out: Swift synthesizes a memberwise initializer only at internal access.
    /// A configuration with each value given or defaulted.
    public init(
        epochs: Int = 10, batchSize: Int = 256, adam: AdamConfiguration = AdamConfiguration(),
        seed: UInt64 = 1,
        implementation: Implementation = .fast
    ) {
        (self.epochs, self.batchSize, self.adam, self.seed, self.implementation) =
            (epochs, batchSize, adam, seed, implementation)
    }
}

/// One line of the training log: the epoch (from 1), mean training loss and accuracy over the
/// epoch's batches (with dropout active, as Keras reports them), test loss and accuracy after
/// the epoch, and the epoch's training time in seconds.
public struct EpochRecord: Sendable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// Mean training loss over the epoch's batches.
    public var loss: Double
    /// Mean training accuracy over the epoch's batches.
    public var accuracy: Double
    /// Loss on the test data after the epoch.
    public var testLoss: Double
    /// Accuracy on the test data after the epoch.
    public var testAccuracy: Double
    /// The epoch's training time.
    public var seconds: Double

    // Written out: Swift synthesizes a memberwise initializer only at internal access.
    /// A record of one epoch.
    public init(
        epoch: Int, loss: Double, accuracy: Double, testLoss: Double, testAccuracy: Double,
        seconds: Double
    ) {
        self.epoch = epoch
        (self.loss, self.accuracy) = (loss, accuracy)
        (self.testLoss, self.testAccuracy) = (testLoss, testAccuracy)
        self.seconds = seconds
    }

    /// The CSV header of the training log.
    public static let csvHeader = "epoch,loss,accuracy,test_loss,test_accuracy,seconds"

    /// This record as a CSV line matching ``csvHeader``.
    public var csvLine: String {
        "\(epoch),\(loss),\(accuracy),\(testLoss),\(testAccuracy),\(seconds)"
    }

    /// Parses a CSV line written by ``csvLine``.
    public init?(csvLine line: String) {
        let fields = line.split(separator: ",").map(String.init)
        guard fields.count == 6, let epoch = Int(fields[0]),
            let values = Optional(fields.dropFirst().compactMap(Double.init)), values.count == 5
        else { return nil }
        self.init(
            epoch: epoch, loss: values[0], accuracy: values[1], testLoss: values[2],
            testAccuracy: values[3], seconds: values[4])
    }
}

/// Trains a model epoch by epoch; the state after each epoch can be saved and resumed exactly.
public final class Trainer {
    /// The model being trained (its weights change in place).
    public let model: Model
    /// The hyper-parameters.
    public let configuration: TrainingConfiguration
    /// The optimizer, with its moments.
    public let optimizer: Adam
    /// Epochs completed so far.
    public internal(set) var completedEpochs = 0

    /// A trainer for `model`, whose weights should have been initialised with the same seed.
    public init(model: Model, configuration: TrainingConfiguration) {
        self.model = model
        self.configuration = configuration
        self.optimizer = Adam(
            parameters: model.namedParameters.map(\.parameter), configuration: configuration.adam)
    }

    /// The order of the training samples in `epoch` (from 1): a Fisher-Yates shuffle seeded by
    /// the run's seed and the epoch, so it is the same on every platform and after a resume.
    public func order(count: Int, epoch: Int) -> [Int] {
        var generator = SeededGenerator(seed: mix(configuration.seed, UInt64(epoch), 0x5348_5546))
        var indices = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(generator.next() % UInt64(i + 1))
                indices.swapAt(i, j)
            }
        }
        return indices
    }

    /// Trains one epoch on `data`, the next batches made on another thread (at most two ahead)
    /// while one trains. `progress(step, steps, meanLoss, meanAccuracy)` is called after each
    /// batch; returning false stops the epoch early (it then does not count as completed).
    /// Throws ``LearnedFiltersError/lossNotFinite(epoch:step:)`` on a NaN loss, and the data's
    /// error when a batch cannot be read.
    @discardableResult
    public func trainEpoch(
        _ data: some LabelledImages,
        progress: (Int, Int, Double, Double) -> Bool = { _, _, _, _ in true }
    ) throws
        -> (loss: Double, accuracy: Double, finished: Bool)
    {
        let epoch = completedEpochs + 1
        let indices = order(count: data.count, epoch: epoch)
        let batchSize = max(1, configuration.batchSize)
        let steps = (data.count + batchSize - 1) / batchSize
        let parameters = model.namedParameters.map(\.parameter)
        var lossSum = 0.0
        var correct = 0
        var seen = 0
        let count = data.count
        let queue = BatchQueue(steps: steps) { step in
            try data.batch(indices[step * batchSize..<min(count, (step + 1) * batchSize)])
        }
        defer { queue.finish() }
        for step in 0..<steps {
            let range = step * batchSize..<min(data.count, (step + 1) * batchSize)
            let (images, labels) = try queue.take(step)
            let options = ForwardOptions(
                training: true, implementation: configuration.implementation,
                seed: mix(configuration.seed, UInt64(epoch), UInt64(step + 1)))
            let result = try model.computeGradients(images, labels: labels, options: options)
            guard result.loss.isFinite else {
                throw LearnedFiltersError.lossNotFinite(epoch: epoch, step: step + 1)
            }
            optimizer.update(parameters)
            lossSum += result.loss * Double(range.count)
            correct += result.correct
            seen += range.count
            if !progress(step + 1, steps, lossSum / Double(seen), Double(correct) / Double(seen)) {
                return (lossSum / Double(seen), Double(correct) / Double(seen), false)
            }
        }
        completedEpochs = epoch
        return (lossSum / Double(max(seen, 1)), Double(correct) / Double(max(seen, 1)), true)
    }

    /// The model plus optimizer state and run settings, to resume with
    /// ``resume(file:path:epochs:implementation:)``.
    public func checkpoint() -> SafeTensorsFile {
        var file = model.safeTensors(extraMetadata: [
            "epoch": "\(completedEpochs)", "adam_step": "\(optimizer.step)",
            "adam_form": configuration.adam.form.rawValue,
            "learning_rate": "\(configuration.adam.learningRate)", "seed": "\(configuration.seed)",
            "batch_size": "\(configuration.batchSize)",
        ])
        for (index, (name, parameter)) in model.namedParameters.enumerated() {
            file.tensors.append(
                (
                    "optimizer.m.\(name)",
                    Tensor(shape: parameter.shape, values: optimizer.firstMoments[index])
                ))
            file.tensors.append(
                (
                    "optimizer.v.\(name)",
                    Tensor(shape: parameter.shape, values: optimizer.secondMoments[index])
                ))
        }
        return file
    }

    /// Restores a trainer from a checkpoint written by ``checkpoint()``; `epochs` may extend the run.
    public static func resume(
        file: SafeTensorsFile, path: String, epochs: Int, implementation: Implementation = .fast
    ) throws -> Trainer {
        func bad(_ detail: String) -> LearnedFiltersError { .badModel(path: path, detail: detail) }
        let model = try Model.load(file: file, path: path)
        let meta = file.metadata
        guard let epoch = meta["epoch"].flatMap(Int.init),
            let step = meta["adam_step"].flatMap(Int.init),
            let form = meta["adam_form"].flatMap(AdamForm.init),
            let rate = meta["learning_rate"].flatMap(Float.init),
            let seed = meta["seed"].flatMap(UInt64.init),
            let batchSize = meta["batch_size"].flatMap(Int.init), epoch >= 0, step >= 0,
            batchSize >= 1
        else {
            throw bad(
                "not a checkpoint (metadata needs epoch, adam_step, adam_form, learning_rate, seed, batch_size)"
            )
        }
        let configuration = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize,
            adam: AdamConfiguration(learningRate: rate, form: form), seed: seed,
            implementation: implementation)
        let trainer = Trainer(model: model, configuration: configuration)
        var first = [[Float]]()
        var second = [[Float]]()
        for (name, parameter) in model.namedParameters {
            guard let m = file["optimizer.m.\(name)"], let v = file["optimizer.v.\(name)"],
                m.shape == parameter.shape, v.shape == parameter.shape
            else {
                throw bad("optimizer state for '\(name)' is missing or has the wrong shape")
            }
            first.append(m.values)
            second.append(v.values)
        }
        trainer.optimizer.restore(step: step, first: first, second: second)
        trainer.completedEpochs = epoch
        return trainer
    }
}

/// A 64-bit mix of three values (SplitMix64 finaliser), for per-epoch and per-step seeds.
func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
    var generator = SeededGenerator(
        seed: a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ (c &* 0xC2B2_AE3D_27D4_EB4F))
    return generator.next()
}
