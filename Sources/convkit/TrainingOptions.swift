// TrainingOptions: the dataset options shared by train and evaluate, and the files beside a model.

import ArgumentParser
import LearnedFilters

extension Dataset.Name: ExpressibleByArgument {}
extension AdamForm: ExpressibleByArgument {}
extension Implementation: ExpressibleByArgument {}

/// Which dataset to read and where.
struct DatasetOptions: ParsableArguments {
    @Option(name: .long, help: "Dataset: mnist or fashion-mnist.")
    var dataset: Dataset.Name = .mnist

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Folder with the four IDX files (default: data/DATASET).", valueName: "DIR"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("Use only the first N test images.", valueName: "N"))
    var testLimit: Int?

    @Option(
        name: .long, help: ArgumentHelp("Threads for convkit's loops and OpenBLAS.", valueName: "N")
    )
    var threads: Int = 2

    var folder: String { data ?? "data/\(dataset.rawValue)" }

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
}

/// File names beside a model: `NAME.safetensors` -> `NAME.log.csv`, `NAME.checkpoint.safetensors`.
enum ModelPaths {
    static func stem(_ path: String) -> String {
        path.hasSuffix(".safetensors") ? String(path.dropLast(".safetensors".count)) : path
    }

    static func log(_ path: String) -> String { stem(path) + ".log.csv" }

    static func checkpoint(_ path: String) -> String { stem(path) + ".checkpoint.safetensors" }
}
