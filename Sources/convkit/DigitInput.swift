// DigitInput: one model input from an image file or a test-set sample, prepared as `predict` prepares it.

import ArgumentParser
import LearnedFilters

/// The input of the commands that explain one prediction: an image argument, or
/// `--test-index N` of the dataset the dataset options name.
struct DigitInput: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "PNG or NPY image of one digit (or use --test-index).", valueName: "image"))
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

    /// The `side x side` input values from the image (prepared as MNIST's digits), else test
    /// sample `--test-index` of the dataset with its true class.
    func read(side: Int, model: String) throws -> (values: [Float], label: Int?) {
        if let image {
            let values = try InputFiles.modelInput(
                image, shape: [side, side, 1], maxPixels: reading.maxPixels
            ) { try DigitImage.mnistInput(from: $0, side: side) }
            return (values, nil)
        }
        let index = testIndex ?? 0
        let test = try data.loadTest()
        guard index < test.count else {
            throw CLIError(
                "--test-index \(index) is beyond the \(test.count) test images in \(data.imageFolder ?? data.folder)"
            )
        }
        guard test.shape == [side, side, 1] else {
            throw CLIError(
                "\(model): the model takes \(side)x\(side) inputs, the dataset has \(test.shape)")
        }
        let sample = try test.batch([index][...])
        return (sample.images.values, sample.labels[0])
    }
}
