// `convkit train`: trains a CNN (the tutorial's by default) on MNIST or Fashion-MNIST.

import ArgumentParser
import Foundation
import ImageIO
import LearnedFilters
#if canImport(Glibc)
import Glibc
#endif

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a small CNN on MNIST or Fashion-MNIST with Adam, on the CPU.",
        discussion: """
            The default network is the classic Keras MNIST tutorial's (220,234 parameters):
              \(LayerSpec.tutorial)
            --arch takes the same comma-separated form (conv2d:FILTERS:KHxKW[:s=S][:d=D][:same|valid][:relu],
            maxpool:K[:s=S][:same], dense:UNITS[:relu], dropout:RATE, flatten, relu).
            Writes OUTPUT (safetensors, Keras tensor names such as conv2d.kernel [3,3,1,32]),
            OUTPUT-stem.checkpoint.safetensors after every epoch (with the optimizer state, for
            --resume) and OUTPUT-stem.log.csv with one line per epoch:
              epoch,loss,accuracy,test_loss,test_accuracy,seconds
            (training figures are means over the epoch's batches with dropout active, as Keras
            reports them). Ctrl-C stops after the current batch and saves. Datasets come from
            'bash scripts/fetch-datasets.sh'.
            """
    )

    @Option(name: .shortAndLong, help: "Model file to write (.safetensors).")
    var output: String = "model.safetensors"

    @OptionGroup var data: DatasetOptions

    @Option(name: .long, help: "Number of epochs.")
    var epochs: Int = 10

    @Option(name: .long, help: "Mini-batch size.")
    var batchSize: Int = 256

    @Option(name: .long, help: "Adam learning rate.")
    var learningRate: Float = 1e-3

    @Option(name: .long, help: "Adam bias correction: keras or pytorch.")
    var adam: AdamForm = .keras

    @Option(name: .long, help: "Seed of the initial weights, shuffling and dropout.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Architecture in the text form above.")
    var arch: String = LayerSpec.tutorial

    @Option(name: .long, help: ArgumentHelp("Use only the first N training images.", valueName: "N"))
    var trainLimit: Int?

    @Flag(name: .long, help: "Continue from OUTPUT-stem.checkpoint.safetensors up to --epochs.")
    var resume = false

    @Option(name: .long, help: "Arithmetic: fast, or the plain reference loops (slow; for checking).")
    var implementation: Implementation = .fast

    func validate() throws {
        guard (1...100_000).contains(epochs) else { throw ValidationError("--epochs must be 1 to 100000, got \(epochs)") }
        guard (1...65_536).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 65536, got \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0 else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be positive, got \(trainLimit)") }
    }

    func run() throws {
        Threads.set(data.threads)
        let train = try Dataset.load(data.dataset, split: .train, folder: data.folder).prefix(trainLimit)
        let test = try data.loadTest()
        let trainer = try makeTrainer(inputShape: train.shape)
        print(trainer.model.summary())
        fflush(nil)
        let logPath = ModelPaths.log(output)
        var log = resume ? existingLog(logPath, upTo: trainer.completedEpochs) : [EpochRecord.csvHeader]
        let checkpointPath = ModelPaths.checkpoint(output)
        let terminal = isatty(1) == 1
        Interrupt.install()
        while trainer.completedEpochs < epochs {
            let epoch = trainer.completedEpochs + 1
            print("Epoch \(epoch)/\(epochs)")
            fflush(nil)
            let start = Date()
            var lastDraw = Date.distantPast
            let result = try trainer.trainEpoch(train) { step, steps, loss, accuracy in
                if terminal, step == steps || Date().timeIntervalSince(lastDraw) > 0.2 {
                    lastDraw = Date()
                    let line = ProgressLine.text(step: step, steps: steps, elapsed: Date().timeIntervalSince(start), loss: loss, accuracy: accuracy)
                    FileHandle.standardOutput.write(Data(("\r" + line).utf8))
                }
                return Interrupt.requested == 0
            }
            let seconds = Date().timeIntervalSince(start)
            if terminal { print("") }
            guard result.finished else {
                try trainer.model.save(path: output)
                printError("convkit: interrupted in epoch \(epoch); saved the current weights to \(output); \(checkpointPath) holds epoch \(trainer.completedEpochs)")
                throw ExitCode(130)
            }
            let evaluation = try Evaluation(model: trainer.model, data: test)
            let steps = (train.count + batchSize - 1) / max(batchSize, 1)
            print(ProgressLine.summary(steps: steps, seconds: seconds, loss: result.loss, accuracy: result.accuracy,
                                       testLoss: evaluation.loss, testAccuracy: evaluation.accuracy))
            fflush(nil)
            log.append(EpochRecord(epoch: epoch, loss: result.loss, accuracy: result.accuracy, testLoss: evaluation.loss,
                                   testAccuracy: evaluation.accuracy, seconds: seconds).csvLine)
            try trainer.checkpoint().write(to: checkpointPath)
            try FileAccess.writeAtomically(Array((log.joined(separator: "\n") + "\n").utf8), to: logPath)
        }
        try trainer.model.save(path: output, extraMetadata: ["class_names": data.dataset.classNames.joined(separator: ",")])
        let final = try Evaluation(model: trainer.model, data: test)
        print(String(format: "Test loss: %.4f - test accuracy: %.4f", final.loss, final.accuracy))
    }

    private func makeTrainer(inputShape: [Int]) throws -> Trainer {
        if resume {
            let path = ModelPaths.checkpoint(output)
            return try Trainer.resume(file: SafeTensorsFile.read(path: path), path: path, epochs: epochs, implementation: implementation)
        }
        let model = try Model(architecture: LayerSpec.parse(arch), inputShape: inputShape, seed: seed)
        let configuration = TrainingConfiguration(epochs: epochs, batchSize: batchSize,
                                                  adam: AdamConfiguration(learningRate: learningRate, form: adam),
                                                  seed: seed, implementation: implementation)
        return Trainer(model: model, configuration: configuration)
    }

    /// The lines of an existing log for epochs up to `epoch` (the header if there is none).
    private func existingLog(_ path: String, upTo epoch: Int) -> [String] {
        guard let bytes = try? FileAccess.readAll(path) else { return [EpochRecord.csvHeader] }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        return [EpochRecord.csvHeader] + lines.filter { EpochRecord(csvLine: $0).map { $0.epoch <= epoch } ?? false }
    }
}

/// Keras-style progress text.
enum ProgressLine {
    /// `120/235 [==========>...................] - 6s 51ms/step - loss: 0.0932 - accuracy: 0.9724`
    static func text(step: Int, steps: Int, elapsed: Double, loss: Double, accuracy: Double) -> String {
        let width = 30
        let filled = steps == 0 ? width : width * step / steps
        var bar = String(repeating: "=", count: max(0, filled - (step < steps ? 1 : 0)))
        if step < steps { bar += ">" }
        bar += String(repeating: ".", count: max(0, width - bar.count))
        let perStep = elapsed / Double(max(step, 1)) * 1000
        return "\(step)/\(steps) [\(bar)] - \(Int(elapsed.rounded()))s \(Int(perStep.rounded()))ms/step - "
            + String(format: "loss: %.4f - accuracy: %.4f", loss, accuracy)
    }

    /// The one line per epoch: steps, time, training and test figures.
    static func summary(steps: Int, seconds: Double, loss: Double, accuracy: Double, testLoss: Double, testAccuracy: Double) -> String {
        String(format: "%d/%d - %.1fs %.0fms/step - loss: %.4f - accuracy: %.4f - test_loss: %.4f - test_accuracy: %.4f",
               steps, steps, seconds, seconds / Double(max(steps, 1)) * 1000, loss, accuracy, testLoss, testAccuracy)
    }
}
