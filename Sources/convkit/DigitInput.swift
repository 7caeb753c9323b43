// DigitInput: one model input from an image file or a test-set sample, prepared as `predict` prepares it.

import LearnedFilters

enum DigitInput {
    /// The `side x side` input values from `image` (prepared as MNIST's digits), else test
    /// sample `testIndex` of `data` with its true class.
    static func read(
        image: String?, testIndex: Int?, data: DatasetOptions, reading: ReadOptions, side: Int,
        model: String
    ) throws -> (values: [Float], label: Int?) {
        if let image {
            let picture = try InputFiles.image(image, maxPixels: reading.maxPixels)
            return (DigitImage.mnistInput(from: picture, side: side), nil)
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
