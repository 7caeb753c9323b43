// TrainingOptions: the dataset options shared by train and evaluate, and the files beside a model.

import ArgumentParser
import ConvkitSupport
import Foundation
import ImageIO
import LearnedFilters

extension Dataset.Name: ExpressibleByArgument {}
extension AdamForm: ExpressibleByArgument {}
extension Implementation: ExpressibleByArgument {}

/// Which dataset to read and where.
struct DatasetOptions: ParsableArguments {
    @Option(name: .customLong("dataset"), help: "Dataset: mnist or fashion-mnist (default: mnist).")
    var datasetGiven: Dataset.Name?

    var dataset: Dataset.Name { datasetGiven ?? .mnist }

    @Option(
        help: ArgumentHelp(
            "Folder with the four IDX files (default: data/DATASET), or of class folders of PNG images.",
            valueName: "folder"))
    var data: String?

    @Option(valueHelp: "Size for a folder's images (default: the first image's).", valueName: "WxH")
    var imageSize: AxisPairArgument?

    @Option(
        valueHelp:
            "Fraction of a folder of images (without train/ and test/) held out for testing.",
        valueName: "F")
    var validationSplit: NumberArgument?

    @Option(
        valueHelp:
            "Use only N test images: MNIST's first N; a folder's taken from its classes in turn (default: all).",
        valueName: "N")
    var testLimit: Int?

    @Option(
        valueHelp: "Threads for convkit's loops and OpenBLAS (default: every core).", valueName: "N"
    )
    var threads: Int?

    var folder: String { folder(for: dataset) }

    /// The folder holding `name`'s files: --data, or data/NAME.
    func folder(for name: Dataset.Name) -> String { data ?? "data/\(name.rawValue)" }

    func validate() throws {
        if let testLimit, testLimit < 1 {
            throw ValidationError("--test-limit must be positive, got \(testLimit)")
        }
        try WorkerThreads.require(threads)
        try imageSize?.requireAtLeast(1, option: "--image-size")
        if let imageSize, imageSize.pair.rows > 4096 || imageSize.pair.columns > 4096 {
            throw ValidationError(
                "--image-size must be at most 4096 on each axis, got \(Sizes.text(imageSize.pair))")
        }
        if let validationSplit, !(validationSplit.value > 0 && validationSplit.value < 1) {
            throw ValidationError(
                "--validation-split must be a fraction between 0 and 1, got \(plainNumber(validationSplit.value))"
            )
        }
        try requireReadableData()
        if imageFolder == nil {
            for (option, given) in [
                ("--image-size", imageSize != nil), ("--validation-split", validationSplit != nil),
            ] where given {
                throw ValidationError(
                    "\(option) is for --data FOLDER holding one folder of PNG images per class")
            }
        } else if let datasetGiven {
            throw ValidationError(
                "--dataset \(datasetGiven.rawValue) names IDX files, but --data \(data ?? "") is a folder of class folders of images"
            )
        }
    }

    /// `--data` when it names a folder of class folders of images: one holding no IDX files.
    var imageFolder: String? {
        guard let data, FileAccess.isDirectory(data), !Self.holdsIDXFiles(data),
            ImageFolder.looksLikeImageFolder(data)
        else { return nil }
        return data
    }

    /// Whether `folder` holds IDX files (`*-ubyte`, `*-ubyte.gz`): files, not folders, so that
    /// a class folder with `-ubyte` in its name leaves a folder of images one.
    static func holdsIDXFiles(_ folder: String) -> Bool {
        let entries = (try? FileAccess.folderEntries(folder)) ?? []
        return entries.contains {
            $0.contains("-ubyte") && !$0.hasPrefix(".")
                && !FileAccess.isDirectory(folder + "/" + $0)
        }
    }

    /// Fails, naming `--data`'s path, unless it is a folder of IDX files or of class folders:
    /// a missing folder, a file, or a folder holding neither is not a missing MNIST file.
    private func requireReadableData() throws {
        guard let data else { return }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isFolder) else {
            throw CLIError("\(data): no such folder (--data takes a folder)")
        }
        guard isFolder.boolValue else {
            throw CLIError(
                "\(data): is a file, not a folder; --data takes a folder of MNIST's IDX files or of class folders of PNG images"
            )
        }
        guard Self.holdsIDXFiles(data) || ImageFolder.looksLikeImageFolder(data) else {
            throw CLIError(
                "\(data): holds neither IDX files (train-images-idx3-ubyte.gz, ...) nor class folders; put each class's PNG images in a folder of its own"
            )
        }
    }

    /// `part` of the image folder, split with `seed` under --validation-split.
    func images(_ folder: String, part: ImageFolder.Part, seed: UInt64) throws -> ImageFolder {
        try ImageFolder.open(
            folder, part: part, imageSize: imageSize.map { ($0.pair.rows, $0.pair.columns) },
            validationSplit: validationSplit?.value, seed: seed)
    }

    /// The test images: the dataset's test split, or the folder's test part (held out with the
    /// seed the model recorded when it was trained, else 1).
    func loadTest(splitSeed: UInt64 = 1) throws -> any LabelledImages {
        if let folder = imageFolder {
            return try images(folder, part: .test, seed: splitSeed).limited(to: testLimit)
        }
        return try Dataset.load(dataset, split: .test, folder: folder).prefix(testLimit)
    }

    /// The class names of the data: the dataset's, or the image folder's.
    func classNames(of test: any LabelledImages) -> [String] {
        (test as? ImageFolder)?.classNames ?? dataset.classNames
    }

    /// What the data is called in output: the dataset's name or the folder.
    var dataName: String { imageFolder ?? dataset.rawValue }
}

/// File names beside a model: `NAME.safetensors` -> `NAME.log.csv`, `NAME.checkpoint.safetensors`.
enum ModelPaths {
    static func stem(_ path: String) -> String {
        path.hasSuffix(".safetensors") ? String(path.dropLast(".safetensors".count)) : path
    }

    static func log(_ path: String) -> String { stem(path) + ".log.csv" }

    static func checkpoint(_ path: String) -> String { stem(path) + ".checkpoint.safetensors" }

    /// The metadata of a convkit model file (empty for other files).
    static func metadata(_ path: String) -> [String: String] {
        guard path.hasSuffix(".safetensors"), let file = try? SafeTensorsFile.read(path: path)
        else { return [:] }
        return file.metadata
    }

    /// The seed a model trained by convkit recorded for its --validation-split (else 1).
    static func splitSeed(_ path: String) -> UInt64 {
        metadata(path)[splitSeedKey].flatMap(UInt64.init) ?? 1
    }

    /// Whether the model was trained on a folder of images (so it takes images resized, not
    /// prepared as MNIST digits).
    static func trainedOnImages(_ path: String) -> Bool { metadata(path)[splitSeedKey] != nil }

    /// The model metadata key of the seed that chose a folder's held-out images, written for
    /// every model trained on a folder of images.
    static let splitSeedKey = "split_seed"
}
