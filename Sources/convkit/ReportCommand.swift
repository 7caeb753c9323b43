// `convkit report`: a trained model on the test set as figures, CSV tables and an index.html.

import ArgumentParser
import Foundation
import ImageIO
import LearnedFilters
import ModelExchange
import Visualization

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Evaluate a trained model on the test set and write its figures and an index.html.",
        usage: "convkit report <model> [<options>] -o <folder>",
        discussion: """
            Writes into the output folder: confusion.png and confusion.csv (rows: true class, \
            columns: predicted), errors.png (misclassified per class), misclassified.png (the \
            first 49, titled 'pred (true: y)') and misclassified.csv (all of them), \
            filters.png (the first convolution), gradcam.png (Grad-CAM of the first 18 \
            misclassified), patterns.png (what each filter of the last convolution responds \
            to), loss.png and accuracy.png from the training \
            log (MODEL-stem.log.csv, or --log), and index.html, which opens without a server.

            Examples:
              convkit report model.safetensors -o report/
              convkit report model.safetensors --dataset fashion-mnist -o fashion-report/
            """
    )

    @Argument(help: .modelFile) var model: String

    @OptionGroup var source: ModelSourceOptions

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Folder to write the report into (created if needed).", valueName: "folder"))
    var output: String = "report"

    @OptionGroup var data: DatasetOptions

    @Option(
        help: ArgumentHelp(
            "Training log (default: beside the model, MODEL-stem.log.csv).", valueName: "csv"))
    var log: String?

    func validate() throws {
        if !OutputPaths.namesFolder(output), FileManager.default.fileExists(atPath: output) {
            throw ValidationError("\(output): is a file; -o names the folder for the report")
        }
    }

    func run() throws {
        let start = Date()
        Threads.set(data.threads)
        let testPart = try data.loadTest(splitSeed: ModelPaths.splitSeed(model))
        let names = data.classNames(of: testPart)
        let inspection = try InputFiles.inspection(
            model, source: source, defaultClassNames: names)
        try TrainingSource.requireMatch(
            inspection.model, path: model, classNames: names, dataName: data.dataName)
        let test = try testPart.loaded()
        let logPath = log ?? ModelPaths.log(model)
        var records: [EpochRecord]?
        if log != nil || FileManager.default.fileExists(atPath: logPath) {
            records = try FileKind.expecting(
                "a training log (.csv)", path: logPath, accepted: [.text]
            ) { try TrainingLog.read(path: logPath) }
        }
        let result = try naming(model) {
            try Report.write(
                inspection: inspection, modelName: model, datasetName: data.dataName, test: test,
                records: records, to: OutputPaths.trimmedFolder(output))
        }
        print(
            String(
                format: "%d test images: accuracy %.4f, loss %.4f, %d misclassified",
                result.matrix.total, result.accuracy,
                result.loss, result.misclassified.count))
        if records == nil { print("no training log at \(logPath): no loss and accuracy curves") }
        for file in result.files { print(OutputPaths.join(output, file)) }
        print(String(format: "wrote the report in %.2f s", Date().timeIntervalSince(start)))
    }
}
