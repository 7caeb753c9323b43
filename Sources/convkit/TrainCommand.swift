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
            OUTPUT-stem.checkpoint.safetensors after every epoch (with the optimizer state and
            the log, for --resume) and OUTPUT-stem.log.csv with one line per epoch:
              epoch,loss,accuracy,test_loss,test_accuracy,seconds
            (training figures are means over the epoch's batches with dropout active, as Keras
            reports them). Ctrl-C stops after the current batch, saves the current weights to
            OUTPUT and exits with 130; a second Ctrl-C quits at once. Every file is replaced
            whole or not at all, so --resume continues from the last checkpoint after any stop.
            Datasets come from 'bash scripts/fetch-datasets.sh'.
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

    @Option(
        name: .long, help: ArgumentHelp("Use only the first N training images.", valueName: "N"))
    var trainLimit: Int?

    @Flag(name: .long, help: "Continue from OUTPUT-stem.checkpoint.safetensors up to --epochs.")
    var resume = false

    @Option(
        name: .long, help: "Arithmetic: fast, or the plain reference loops (slow; for checking).")
    var implementation: Implementation = .fast

    func validate() throws {
        guard (1...100_000).contains(epochs) else {
            throw ValidationError("--epochs must be 1 to 100000, got \(epochs)")
        }
        guard (1...65_536).contains(batchSize) else {
            throw ValidationError("--batch-size must be 1 to 65536, got \(batchSize)")
        }
        guard learningRate.isFinite, learningRate > 0 else {
            throw ValidationError("--learning-rate must be positive, got \(learningRate)")
        }
        if let trainLimit, trainLimit < 1 {
            throw ValidationError("--train-limit must be positive, got \(trainLimit)")
        }
    }

    func run() throws {
        Threads.set(data.threads)
        try requireWritableFolder(of: output)
        let train = try Dataset.load(data.dataset, split: .train, folder: data.folder).prefix(
            trainLimit)
        let test = try data.loadTest()
        let checkpointPath = ModelPaths.checkpoint(output)
        let checkpoint = resume ? try SafeTensorsFile.read(path: checkpointPath) : nil
        let trainer = try makeTrainer(inputShape: train.shape, checkpoint: checkpoint)
        print(trainer.model.summary())
        fflush(nil)
        let logPath = ModelPaths.log(output)
        var log =
            checkpoint.map {
                loggedLines(checkpoint: $0, logPath: logPath, upTo: trainer.completedEpochs)
            } ?? [EpochRecord.csvHeader]
        let classNames = ["class_names": data.dataset.classNames.joined(separator: ",")]
        let terminal = isatty(1) == 1
        SignalHandling.stopAfterBatchOnInterrupt()
        while trainer.completedEpochs < epochs {
            let epoch = trainer.completedEpochs + 1
            if SignalHandling.interruptRequested {
                try stop(trainer, saving: classNames, note: "interrupted after epoch \(epoch - 1)")
            }
            print("Epoch \(epoch)/\(epochs)")
            fflush(nil)
            let start = Date()
            var lastDraw = Date.distantPast
            let result = try trainer.trainEpoch(train) { step, steps, loss, accuracy in
                if terminal, step == steps || Date().timeIntervalSince(lastDraw) > 0.2 {
                    lastDraw = Date()
                    let line = ProgressLine.text(
                        step: step, steps: steps, elapsed: Date().timeIntervalSince(start),
                        loss: loss, accuracy: accuracy)
                    FileHandle.standardOutput.write(Data(("\r" + line).utf8))
                }
                return !SignalHandling.interruptRequested
            }
            let seconds = Date().timeIntervalSince(start)
            if terminal { print("") }
            guard result.finished else {
                try stop(trainer, saving: classNames, note: "interrupted in epoch \(epoch)")
            }
            let evaluation = try Evaluation(model: trainer.model, data: test)
            let steps = (train.count + batchSize - 1) / max(batchSize, 1)
            print(
                ProgressLine.summary(
                    steps: steps, seconds: seconds, loss: result.loss, accuracy: result.accuracy,
                    testLoss: evaluation.loss, testAccuracy: evaluation.accuracy))
            fflush(nil)
            log.append(
                EpochRecord(
                    epoch: epoch, loss: result.loss, accuracy: result.accuracy,
                    testLoss: evaluation.loss,
                    testAccuracy: evaluation.accuracy, seconds: seconds
                ).csvLine)
            let logText = log.joined(separator: "\n") + "\n"
            // The checkpoint carries the log, so a run killed between the two writes resumes
            // with every line; the checkpoint goes first, so a failed write leaves both as they were.
            var state = trainer.checkpoint()
            state.metadata[Self.logMetadataKey] = logText
            try state.write(to: checkpointPath)
            try FileAccess.writeAtomically(Array(logText.utf8), to: logPath)
        }
        try trainer.model.save(path: output, extraMetadata: classNames)
        let final = try Evaluation(model: trainer.model, data: test)
        print(String(format: "Test loss: %.4f - test accuracy: %.4f", final.loss, final.accuracy))
    }

    /// The checkpoint metadata key holding the training log's text up to the checkpoint's epoch.
    static let logMetadataKey = "training_log"

    /// Saves the current weights after a Ctrl-C, says where things stand, and exits with 130.
    private func stop(_ trainer: Trainer, saving metadata: [String: String], note: String) throws
        -> Never
    {
        try trainer.model.save(path: output, extraMetadata: metadata)
        let checkpointPath = ModelPaths.checkpoint(output)
        let resumable =
            trainer.completedEpochs > 0
            ? "--resume continues from \(checkpointPath) (epoch \(trainer.completedEpochs))"
            : "no epoch was completed, so there is no checkpoint to resume from"
        printError("convkit: \(note); saved the current weights to \(output); \(resumable)")
        throw ExitCode(130)
    }

    /// Fails before any training when the model's folder cannot take new files.
    private func requireWritableFolder(of path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard access(folder.isEmpty ? "." : folder, W_OK) == 0 else {
            throw CLIError("\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }

    private func makeTrainer(inputShape: [Int], checkpoint: SafeTensorsFile?) throws -> Trainer {
        if let checkpoint {
            return try Trainer.resume(
                file: checkpoint, path: ModelPaths.checkpoint(output), epochs: epochs,
                implementation: implementation)
        }
        let model = try Model(
            architecture: LayerSpec.parse(arch), inputShape: inputShape, seed: seed)
        let configuration = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize,
            adam: AdamConfiguration(learningRate: learningRate, form: adam),
            seed: seed, implementation: implementation)
        return Trainer(model: model, configuration: configuration)
    }

    /// The log lines for epochs up to `epoch`: from the checkpoint, or from the log file for a
    /// checkpoint that does not carry them (the header alone if there is neither).
    private func loggedLines(checkpoint: SafeTensorsFile, logPath: String, upTo epoch: Int)
        -> [String]
    {
        let text =
            checkpoint.metadata[Self.logMetadataKey]
            ?? (try? FileAccess.readAll(logPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let lines = text.split(separator: "\n").map(String.init)
        return [EpochRecord.csvHeader]
            + lines.filter { EpochRecord(csvLine: $0).map { $0.epoch <= epoch } ?? false }
    }
}

/// Keras-style progress text.
enum ProgressLine {
    /// `120/235 [==========>...................] - 6s 51ms/step - loss: 0.0932 - accuracy: 0.9724`
    static func text(step: Int, steps: Int, elapsed: Double, loss: Double, accuracy: Double)
        -> String
    {
        let width = 30
        let filled = steps == 0 ? width : width * step / steps
        var bar = String(repeating: "=", count: max(0, filled - (step < steps ? 1 : 0)))
        if step < steps { bar += ">" }
        bar += String(repeating: ".", count: max(0, width - bar.count))
        let perStep = elapsed / Double(max(step, 1)) * 1000
        return
            "\(step)/\(steps) [\(bar)] - \(Int(elapsed.rounded()))s \(Int(perStep.rounded()))ms/step - "
            + String(format: "loss: %.4f - accuracy: %.4f", loss, accuracy)
    }

    /// The one line per epoch: steps, time, training and test figures.
    static func summary(
        steps: Int, seconds: Double, loss: Double, accuracy: Double, testLoss: Double,
        testAccuracy: Double
    ) -> String {
        String(
            format:
                "%d/%d - %.1fs %.0fms/step - loss: %.4f - accuracy: %.4f - test_loss: %.4f - test_accuracy: %.4f",
            steps, steps, seconds, seconds / Double(max(steps, 1)) * 1000, loss, accuracy, testLoss,
            testAccuracy)
    }
}
