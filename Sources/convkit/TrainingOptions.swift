// TrainingOptions: the dataset options shared by train and evaluate, and the files beside a model.

import ArgumentParser
import ConvkitSupport
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
        name: .long,
        help: ArgumentHelp(
            "Folder with the four IDX files (default: data/DATASET).", valueName: "folder"))
    var data: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Use only the first N test images (default: all 10,000).", valueName: "N"))
    var testLimit: Int?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Threads for convkit's loops and OpenBLAS.", valueName: "N"))
    var threads: Int = 2

    var folder: String { folder(for: dataset) }

    /// The folder holding `name`'s files: --data, or data/NAME.
    func folder(for name: Dataset.Name) -> String { data ?? "data/\(name.rawValue)" }

    func validate() throws {
        if let testLimit, testLimit < 1 {
            throw ValidationError("--test-limit must be positive, got \(testLimit)")
        }
        guard (1...256).contains(threads) else {
            throw ValidationError("--threads must be 1 to 256, got \(threads)")
        }
    }

    func loadTest() throws -> Dataset {
        try Dataset.load(dataset, split: .test, folder: folder).prefix(testLimit)
    }

    /// Fails unless the model's last layer has one output per class of the dataset.
    func requireMatch(_ model: Model, path: String, dataset: Dataset.Name? = nil) throws {
        let dataset = dataset ?? self.dataset
        let classes = dataset.classNames.count
        guard model.classes == classes else {
            throw CLIError(
                "\(path): the last layer has \(counted(model.classes, "output")), but \(dataset.rawValue) has \(classes) classes"
            )
        }
    }
}

/// File names beside a model: `NAME.safetensors` -> `NAME.log.csv`, `NAME.checkpoint.safetensors`.
enum ModelPaths {
    static func stem(_ path: String) -> String {
        path.hasSuffix(".safetensors") ? String(path.dropLast(".safetensors".count)) : path
    }

    static func log(_ path: String) -> String { stem(path) + ".log.csv" }

    static func checkpoint(_ path: String) -> String { stem(path) + ".checkpoint.safetensors" }
}
