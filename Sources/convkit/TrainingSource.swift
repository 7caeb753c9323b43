// TrainingSource: the data a training run reads, IDX files or a folder of class folders of
// images, with its class names and the setting that records it.

import ConvkitSupport
import Foundation
import LearnedFilters

/// The training and test data of `convkit train`.
struct TrainingSource {
    /// The dataset's name or the image folder, for messages.
    let name: String
    /// The run setting that records the data (`mnist`, or `folder DIR ...`).
    let setting: String
    let classNames: [String]
    private let train: () throws -> any LabelledImages
    private let test: () throws -> any LabelledImages
    private let isFolder: Bool

    init(
        options: DatasetOptions, name dataset: Dataset.Name, trainLimit: Int?, testLimit: Int?,
        splitSeed: UInt64
    ) throws {
        if let folder = options.imageFolder {
            if options.validationSplit == nil, !ImageFolder.hasSplitFolders(folder) {
                throw CLIError(
                    "\(folder): no train/ and test/ folders: --validation-split F holds out a fraction of the images for testing"
                )
            }
            let trainPart = try options.images(folder, part: .train, seed: splitSeed)
            // Model files keep the class names comma-separated (class_names), as
            // --class-names takes them; a comma in a name would split it in two.
            if let name = trainPart.classNames.first(where: { $0.contains(",") }) {
                throw CLIError(
                    "\(folder): class folder '\(name)' has a comma in its name, which model files use to separate class names; rename it"
                )
            }
            let testPart = try options.images(folder, part: .test, seed: splitSeed)
            name = folder
            setting = Self.folderSetting(options) ?? folder
            classNames = trainPart.classNames
            train = { trainPart.limited(to: trainLimit) }
            test = { testPart.limited(to: testLimit) }
            isFolder = true
        } else {
            let folder = options.folder(for: dataset)
            name = dataset.rawValue
            setting = dataset.rawValue
            classNames = dataset.classNames
            train = { try Dataset.load(dataset, split: .train, folder: folder).prefix(trainLimit) }
            test = { try Dataset.load(dataset, split: .test, folder: folder).prefix(testLimit) }
            isFolder = false
        }
    }

    /// The setting of a run on a folder of images: the folder and how it is read.
    static func folderSetting(_ options: DatasetOptions) -> String? {
        FolderSetting(options)?.text
    }

    func loadTrain() throws -> any LabelledImages { try train() }
    func loadTest() throws -> any LabelledImages { try test() }

    /// Fails unless the model fits this data (``requireMatch(_:path:classNames:dataName:)``).
    func requireMatch(_ model: Model, path: String) throws {
        try Self.requireMatch(model, path: path, classNames: classNames, dataName: name)
    }

    /// Fails unless `model` fits data of `classNames`: one output per class, and the same
    /// class names in the same order when the model has names (its file's, or --class-names),
    /// so that the data's labels are the model's outputs.
    static func requireMatch(
        _ model: Model, path: String, classNames: [String], dataName: String
    ) throws {
        guard model.classes == classNames.count else {
            throw CLIError(
                "\(path): the last layer has \(counted(model.classes, "output")), but \(dataName) has \(classNames.count) classes"
            )
        }
        if let names = model.classNames,
            let index = names.indices.first(where: { names[$0] != classNames[$0] })
        {
            throw CLIError(
                "\(path): the model's class \(index) is '\(names[index])', but \(dataName)'s is '\(classNames[index])'; its labels would not be the model's outputs"
            )
        }
    }

    /// The model file's metadata: class names, and the seed of a folder's held-out images.
    func metadata(splitSeed: UInt64) -> [String: String] {
        var metadata = ["class_names": classNames.joined(separator: ",")]
        if isFolder { metadata[ModelPaths.splitSeedKey] = String(splitSeed) }
        return metadata
    }
}

/// The recorded setting of a run on a folder of images,
/// `folder DIR[ --image-size WxH][ --validation-split F]`, taken apart for a resume, which
/// takes what the command line leaves out from it and compares the folder as a folder.
struct FolderSetting: Equatable {
    var folder: String
    /// `--image-size`'s value as recorded (`16`, `32x24`), if the run gave one.
    var imageSize: String?
    /// `--validation-split`'s value as recorded (`0.2`), if the run gave one.
    var validationSplit: String?

    /// The options' setting; nil unless they name a folder of images.
    init?(_ options: DatasetOptions) {
        guard let folder = options.imageFolder else { return nil }
        self.folder = folder
        imageSize = options.imageSize.map { Sizes.text($0.pair) }
        validationSplit = options.validationSplit.map { plainNumber($0.value) }
    }

    /// The setting in recorded `text`; nil for a run on IDX files.
    init?(text: String) {
        guard text.hasPrefix("folder ") else { return nil }
        var rest = String(text.dropFirst("folder ".count))
        func take(_ option: String) -> String? {
            guard let range = rest.range(of: " \(option) ", options: .backwards) else {
                return nil
            }
            let value = String(rest[range.upperBound...])
            guard !value.isEmpty, !value.contains(" ") else { return nil }
            rest = String(rest[..<range.lowerBound])
            return value
        }
        validationSplit = take("--validation-split")
        imageSize = take("--image-size")
        folder = rest
    }

    var text: String {
        var text = "folder \(folder)"
        if let imageSize { text += " --image-size \(imageSize)" }
        if let validationSplit { text += " --validation-split \(validationSplit)" }
        return text
    }

    /// Whether `a` and `b` name the same folder however written (`flat`, `flat/`, `./flat`, an
    /// absolute path, a link): the same device and inode, or where one cannot be looked up,
    /// the same standardised absolute path.
    static func sameFolder(_ a: String, _ b: String) -> Bool {
        if let first = FileIdentity(of: a), let second = FileIdentity(of: b) {
            return first == second
        }
        func standardised(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.path
        }
        return standardised(a) == standardised(b)
    }
}
