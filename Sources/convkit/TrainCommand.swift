// `convkit train`: trains a CNN (the tutorial's by default) on MNIST or Fashion-MNIST.

import ArgumentParser
import ConvkitSupport
import Foundation
import ImageIO
import LearnedFilters

#if canImport(Glibc)
    import Glibc
#endif

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a small CNN with Adam on MNIST, Fashion-MNIST or your images.",
        usage: "convkit train [<options>] -o <file>",
        discussion: """
            The default network is the classic Keras MNIST tutorial's (220,234 parameters):
              conv2d:32:3x3:same:relu, maxpool:2, conv2d:64:3x3:same:relu,
              maxpool:2, flatten, dense:64:relu, dropout:0.5, dense:10
            --arch takes the same comma-separated form (kernel sizes in Keras'
            kernel_size order, height first, as model files store them):
              conv2d:FILTERS:KHxKW[:s=S][:d=D][:same|valid][:ACT]
              maxpool:K[:s=S][:same]  dense:UNITS[:ACT]  dropout:RATE
              flatten  ACT (an activation as a layer of its own)
            ACT: relu, sigmoid, tanh, softmax, elu[=ALPHA], selu, gelu,
              gelu_tanh, leaky_relu[=SLOPE] (Keras' definitions)
            The last layer needs one output per class of the dataset (10) and
            no softmax (neither a layer nor an activation): the loss and predict apply it.

            --data FOLDER holding one folder of PNG images per class (or train/ and test/ \
            folders holding them) trains on those images, class names from the folder names: \
            --validation-split F holds out a fraction of them for testing (chosen with \
            --seed), --image-size WxH area-resizes them all. --train-limit and --test-limit \
            take a folder's images from its classes in turn (the first image of each class in \
            name order, then the second, ...), whatever the seed. Images are read batch by \
            batch, the next ones decoded while one trains.

            Writes OUTPUT (safetensors, Keras tensor names such as conv2d.kernel [3,3,1,32]), \
            OUTPUT-stem.checkpoint.safetensors after every epoch (with the optimizer state, the \
            log and the run's settings, for --resume) and OUTPUT-stem.log.csv with one line per \
            epoch: epoch,loss,accuracy,test_loss,test_accuracy,seconds (training figures are \
            means over the epoch's batches with dropout active, as Keras reports them).

            --resume continues the checkpoint's run up to --epochs with the settings it \
            recorded: a setting given again must be the same (--threads may change). A run on a \
            folder of images needs --data FOLDER again, the same folder however written (flat, \
            flat/, ./flat, its absolute path); its --validation-split and --image-size come from \
            the checkpoint. Ctrl-C \
            stops after the current batch, saves the current weights to OUTPUT and exits with \
            130; a second Ctrl-C quits at once. Every file is replaced whole or not at all, so \
            --resume continues from the last checkpoint after any stop. Datasets come from \
            'bash scripts/fetch-datasets.sh'.

            Examples:
              convkit train -o model.safetensors
              convkit train -o m.safetensors --epochs 3 --seed 7 --dataset fashion-mnist
              convkit train -o m.safetensors --epochs 12 --resume
              convkit train -o small.safetensors --arch "conv2d:8:5x5:s=2:relu,flatten,dense:10"
              convkit train -o shapes.safetensors --data shapes --validation-split 0.2
            """
    )

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Model file to write (.safetensors).", valueName: "file"))
    var output: String = "model.safetensors"

    @OptionGroup var data: DatasetOptions

    @Option(valueHelp: "Number of epochs.")
    var epochs: Int = 10

    @Option(valueHelp: "Mini-batch size (default: 256).", valueName: "N")
    var batchSize: Int?

    @Option(
        name: .customLong("learning-rate"), valueHelp: "Adam learning rate (default: 0.001).",
        valueName: "rate")
    var learningRateGiven: NumberArgument?

    /// `--learning-rate` in the precision training uses.
    var learningRate: Float? { learningRateGiven.map { Float($0.value) } }

    @Option(help: "Adam bias correction: keras or pytorch (default: keras).")
    var adam: AdamForm?

    @Option(
        name: .customLong("seed"),
        valueHelp: "Seed of the weights, shuffling and dropout (default: 1).",
        valueName: "N")
    var seedGiven: SeedArgument?

    /// `--seed`, once validate() has checked it.
    var seed: UInt64? { seedGiven?.value }

    @Option(valueHelp: "Architecture, as above (default: the tutorial's).", valueName: "layers")
    var arch: String?

    @Option(
        valueHelp:
            "Use only N training images: MNIST's first N; a folder's taken from its classes in turn (default: all).",
        valueName: "N")
    var trainLimit: Int?

    @Flag(help: "Continue from OUTPUT-stem.checkpoint.safetensors up to --epochs.")
    var resume = false

    @Option(
        help: "Arithmetic: fast, or the plain reference loops (slow; for checking).")
    var implementation: Implementation = .fast

    func validate() throws {
        guard (1...100_000).contains(epochs) else {
            throw ValidationError("--epochs must be 1 to 100000, got \(epochs)")
        }
        _ = try seedGiven?.required(option: "--seed")
        if let batchSize, !(1...65_536).contains(batchSize) {
            throw ValidationError("--batch-size must be 1 to 65536, got \(batchSize)")
        }
        // Checked as typed: 1e-50 rounds to 0 in Float32 and 1e39 to inf.
        try learningRateGiven?.require(
            Double(Float.leastNormalMagnitude)...Double(Float.greatestFiniteMagnitude),
            option: "--learning-rate",
            what: "a positive number within Float32's range (1.2e-38 to 3.4e38)")
        if let trainLimit, trainLimit < 1 {
            throw ValidationError("--train-limit must be positive, got \(trainLimit)")
        }
        guard OutputPaths.fileExtension(output) == "safetensors" else {
            throw ValidationError(
                "\(output): a model file is named NAME.safetensors (the checkpoint and log go beside it)"
            )
        }
        if let arch {
            do { _ = try LayerSpec.parse(arch) } catch let error as LearnedFiltersError {
                throw ValidationError("--arch: \(error)")
            }
        }
    }

    /// The option that sets each of ``RunSettings/keys``, for naming a setting a resume changes.
    private static let optionOfSetting = [
        "architecture": "--arch", "dataset": "--dataset", "train_limit": "--train-limit",
        "test_limit": "--test-limit", "batch_size": "--batch-size", "seed": "--seed",
        "learning_rate": "--learning-rate", "adam_form": "--adam",
    ]

    /// The settings the command line gives explicitly (for a resume, which must agree), with
    /// the dataset as `options` read it.
    private func givenSettings(_ options: DatasetOptions) -> RunSettings {
        RunSettings(
            architecture: arch.flatMap { try? LayerSpec.parse($0) },
            dataset: TrainingSource.folderSetting(options) ?? options.datasetGiven?.rawValue,
            trainLimit: trainLimit.map { $0 },
            testLimit: data.testLimit.map { $0 }, batchSize: batchSize, seed: seed,
            learningRate: learningRate, adamForm: adam)
    }

    func run() throws {
        Threads.set(data.threads)
        try requireWritableFolder(of: output)
        let checkpointPath = ModelPaths.checkpoint(output)
        let checkpoint =
            resume
            ? try InputFiles.safeTensors(checkpointPath, what: "a training checkpoint") : nil
        let recorded = checkpoint.map { RunSettings(recordedIn: $0.metadata) }
        let recordedFolder = recorded?["dataset"].flatMap(FolderSetting.init(text:))
        var options = data
        if let recordedFolder, data.imageFolder != nil {
            options = try resumedFolderOptions(recordedFolder, checkpointPath: checkpointPath)
        }
        if let recorded,
            let difference = recorded.differences(from: givenSettings(options)).first
        {
            // A folder of images is given with --data, MNIST's name with --dataset.
            let option =
                difference.key == "dataset" && difference.given.hasPrefix("folder ")
                ? "--data" : Self.optionOfSetting[difference.key] ?? difference.key
            throw ValidationError(
                "\(checkpointPath): \(difference.description(naming: option)); a resumed run keeps its settings"
            )
        }
        if data.imageFolder == nil, let setting = recorded?["dataset"],
            setting.hasPrefix("folder ")
        {
            throw CLIError(
                "\(checkpointPath): the run trained on a \(setting); give --data FOLDER again to resume it"
            )
        }
        let datasetName =
            data.datasetGiven ?? recorded?["dataset"].flatMap(Dataset.Name.init) ?? .mnist
        let trainLimitUsed = trainLimit ?? recorded?["train_limit"].flatMap { Int($0) }
        let testLimitUsed = data.testLimit ?? recorded?["test_limit"].flatMap { Int($0) }
        let splitSeed = seed ?? recorded?["seed"].flatMap { UInt64($0) } ?? 1
        let source = try TrainingSource(
            options: options, name: datasetName, trainLimit: trainLimitUsed,
            testLimit: testLimitUsed, splitSeed: splitSeed)
        let trainer: Trainer
        var loaded: (any LabelledImages)?
        if let checkpoint {
            trainer = try Trainer.resume(
                file: checkpoint, path: checkpointPath, epochs: epochs,
                implementation: implementation)
            try source.requireMatch(trainer.model, path: checkpointPath)
            if trainer.completedEpochs >= epochs {
                try finishWithoutTraining(trainer, metadata: source.metadata(splitSeed: splitSeed))
                return
            }
        } else {
            loaded = try source.loadTrain()
            trainer = try newTrainer(
                inputShape: loaded?.shape ?? [], classes: source.classNames.count)
            try source.requireMatch(trainer.model, path: "--arch")
        }
        let train = try loaded ?? source.loadTrain()
        let test = try source.loadTest()
        guard train.shape == trainer.model.inputShape else {
            throw CLIError(
                "\(checkpointPath): the model takes inputs of shape \(trainer.model.inputShape), \(source.name) has \(train.shape)"
            )
        }
        let settings = RunSettings(
            architecture: trainer.model.architecture, dataset: source.setting,
            trainLimit: .some(trainLimitUsed), testLimit: .some(testLimitUsed),
            batchSize: trainer.configuration.batchSize, seed: trainer.configuration.seed,
            learningRate: trainer.configuration.adam.learningRate,
            adamForm: trainer.configuration.adam.form)
        print(trainer.model.summary())
        if let folder = data.imageFolder {
            let shape = train.shape
            print(
                "\(folder): \(counted(train.count, "training image")) and \(test.count) test, \(Sizes.text(width: shape[1], height: shape[0])) \(shape[2] == 3 ? "colour" : "grey"), \(counted(source.classNames.count, "class", "classes")): \(source.classNames.joined(separator: ", "))"
            )
        }
        fflush(nil)
        let logPath = ModelPaths.log(output)
        var log =
            checkpoint.map {
                loggedLines(checkpoint: $0, logPath: logPath, upTo: trainer.completedEpochs)
            } ?? [EpochRecord.csvHeader]
        let classNames = source.metadata(splitSeed: splitSeed)
        let terminal = isatty(1) == 1
        SignalHandling.stopAfterBatchOnInterrupt()
        var saved = checkpoint.map { _ in (path: checkpointPath, epoch: trainer.completedEpochs) }
        while trainer.completedEpochs < epochs {
            let epoch = trainer.completedEpochs + 1
            if SignalHandling.interruptRequested {
                try stop(trainer, saving: classNames, note: "interrupted after epoch \(epoch - 1)")
            }
            print("Epoch \(epoch)/\(epochs)")
            fflush(nil)
            let start = Date()
            var lastDraw = Date.distantPast
            let result = try explainingDivergence(of: trainer, saved: saved) {
                try trainer.trainEpoch(train) { step, steps, loss, accuracy in
                    if terminal, step == steps || Date().timeIntervalSince(lastDraw) > 0.2 {
                        lastDraw = Date()
                        let line = ProgressLine.text(
                            step: step, steps: steps, elapsed: Date().timeIntervalSince(start),
                            loss: loss, accuracy: accuracy)
                        FileHandle.standardOutput.write(Data(("\r" + line).utf8))
                    }
                    return !SignalHandling.interruptRequested
                }
            }
            let seconds = Date().timeIntervalSince(start)
            if terminal { print("") }
            guard result.finished else {
                try stop(trainer, saving: classNames, note: "interrupted in epoch \(epoch)")
            }
            let evaluation = try explainingDivergence(of: trainer, saved: saved) {
                try Evaluation(model: trainer.model, data: test)
            }
            let batch = trainer.configuration.batchSize
            let steps = (train.count + batch - 1) / max(batch, 1)
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
            state.metadata.merge(settings.metadata) { _, recorded in recorded }
            // The class names too, so a resume on renamed class folders is refused.
            state.metadata.merge(classNames) { current, _ in current }
            state.metadata[Self.logMetadataKey] = logText
            try state.write(to: checkpointPath)
            saved = (checkpointPath, epoch)
            try FileAccess.writeAtomically(Array(logText.utf8), to: logPath)
        }
        try trainer.model.save(path: output, extraMetadata: classNames)
        let final = try Evaluation(model: trainer.model, data: test)
        print(String(format: "Test loss: %.4f - test accuracy: %.4f", final.loss, final.accuracy))
    }

    /// The dataset options of a resume of a run on `recorded`'s folder: --data must name the
    /// same folder (however written), and --image-size and --validation-split, when left out,
    /// are the run's; given, they must be the run's.
    private func resumedFolderOptions(_ recorded: FolderSetting, checkpointPath: String) throws
        -> DatasetOptions
    {
        var options = data
        guard let folder = data.imageFolder, FolderSetting.sameFolder(folder, recorded.folder)
        else {
            throw ValidationError(
                "\(checkpointPath): --data is \(data.data ?? ""), but the checkpoint's run used the folder \(recorded.folder); a resumed run keeps its settings"
            )
        }
        // The folder as the run wrote it (the same folder, so it reads the same from here),
        // so that the settings compare and are recorded as they were.
        options.data = recorded.folder
        if options.validationSplit == nil {
            options.validationSplit = recorded.validationSplit.flatMap {
                NumberArgument(argument: $0)
            }
        }
        if options.imageSize == nil {
            options.imageSize = recorded.imageSize.flatMap { AxisPairArgument(argument: $0) }
        }
        let given = FolderSetting(options)
        for (option, now, before) in [
            ("--validation-split", given?.validationSplit, recorded.validationSplit),
            ("--image-size", given?.imageSize, recorded.imageSize),
        ] where now != before {
            throw ValidationError(
                "\(checkpointPath): \(option) is \(now ?? "not given"), but the checkpoint's run used \(before ?? "no \(option)"); a resumed run keeps its settings"
            )
        }
        return options
    }

    /// The checkpoint metadata key holding the training log's text up to the checkpoint's epoch.
    static let logMetadataKey = "training_log"

    /// A resume whose checkpoint already has every epoch asked for: says so, and writes the
    /// model from the checkpoint only if a run stopped before it could.
    private func finishWithoutTraining(_ trainer: Trainer, metadata: [String: String]) throws {
        let done = trainer.completedEpochs
        var note =
            "convkit: nothing left to do: \(ModelPaths.checkpoint(output)) already has \(counted(done, "epoch")) of --epochs \(epochs)"
        if FileManager.default.fileExists(atPath: output) {
            note += " (raise --epochs to train on)"
        } else {
            try trainer.model.save(path: output, extraMetadata: metadata)
            note += "; wrote \(output) from it"
        }
        printError(note)
    }

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

    /// A new trainer with the given settings and their defaults.
    private func newTrainer(inputShape: [Int], classes: Int) throws -> Trainer {
        let chosenSeed = seed ?? 1
        var layers = try LayerSpec.parse(arch ?? LayerSpec.tutorial)
        // The tutorial's network ends in one output per class of whatever data it is given.
        if arch == nil, case .dense(_, let activation) = layers.last {
            layers[layers.count - 1] = .dense(units: classes, activation: activation)
        }
        let model = try Model(architecture: layers, inputShape: inputShape, seed: chosenSeed)
        let configuration = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize ?? 256,
            adam: AdamConfiguration(learningRate: learningRate ?? 1e-3, form: adam ?? .keras),
            seed: chosenSeed, implementation: implementation)
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
        let lines = TextLines.of(text).map(String.init)
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
