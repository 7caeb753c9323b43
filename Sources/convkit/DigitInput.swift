// DigitInput: one model input from an image file or a test-set sample, prepared as `predict` prepares it.

import ArgumentParser
import LearnedFilters

/// The input of the commands that explain one prediction: an image argument, or
/// `--test-index N` of the dataset the dataset options name.
struct DigitInput: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "PNG or NPY image (or use --test-index).", valueName: "image"))
    var image: String?

    @Option(
        valueHelp: "Take the input from the test set instead: sample N (from 0).", valueName: "N")
    var testIndex: Int?

    @OptionGroup var data: DatasetOptions

    @OptionGroup var reading: ReadOptions

    func validate() throws {
        guard (image == nil) != (testIndex == nil) else {
            throw ValidationError("give either an IMAGE or --test-index N")
        }
        if let testIndex, testIndex < 0 {
            throw ValidationError("--test-index must be 0 or more, got \(testIndex)")
        }
    }

    /// The input of `network` (read from the file `model`) from the image (prepared as
    /// `predict` prepares it), else test sample `--test-index` of the dataset (a folder's held
    /// out as the model's training run held it out) with its true class, when the dataset's
    /// classes are the model's. `what` names the command's figures in the error for a model
    /// that takes no images.
    func read(_ network: Model, model: String, what: String) throws -> (
        values: [Float], label: Int?
    ) {
        let shape = network.imageShape
        guard let prepare = InputFiles.preparation(for: shape, model: model) else {
            throw CLIError(
                "\(model): \(what) need a model of grey or colour images, this one takes \(network.inputShape)"
            )
        }
        if let image {
            let values = try InputFiles.modelInput(
                image, shape: shape, maxPixels: reading.maxPixels
            ) { try prepare($0, image) }
            return (values, nil)
        }
        let index = testIndex ?? 0
        let test = try data.loadTest(splitSeed: ModelPaths.splitSeed(model))
        guard index < test.count else {
            throw CLIError(
                "--test-index \(index) is beyond the \(test.count) test images in \(data.imageFolder ?? data.folder)"
            )
        }
        // The sample's label names its true class only when the data's classes are the model's.
        try TrainingSource.requireMatch(
            network, path: model, classNames: data.classNames(of: test), dataName: data.dataName)
        guard test.shape == shape else {
            throw CLIError(
                "\(model): the model takes inputs of shape \(network.inputShape), the dataset has \(test.shape)"
            )
        }
        let sample = try test.batch([index][...])
        return (sample.images.values, sample.labels[0])
    }
}
