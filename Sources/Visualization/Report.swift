// Report: a trained model on the test set as figures, CSV tables and an index.html, in one folder.

import Drawing
import Foundation
import ImageIO
import LearnedFilters

/// Everything `convkit report` writes: the confusion matrix (figure and CSV), the errors per
/// class, the first 49 misclassified images (figure and a CSV of all of them), the first
/// convolution's filters, loss and accuracy per epoch when there is a training log, Grad-CAM of
/// the first misclassified images and the last convolution's filter patterns (when the model
/// takes square grey images), and an `index.html` showing them all.
package enum Report {
    /// What was found and written.
    package struct Result: Sendable {
        package var matrix: ConfusionMatrix
        package var loss: Double
        package var accuracy: Double
        /// Test-set indices of every misclassified sample, ascending.
        package var misclassified: [Int]
        /// The file names written in the folder, index.html last.
        package var files: [String]
    }

    /// The file names of a report.
    package enum File {
        package static let confusion = "confusion.png", confusionCSV = "confusion.csv",
            errors = "errors.png"
        package static let misclassified = "misclassified.png",
            misclassifiedCSV = "misclassified.csv"
        package static let filters = "filters.png", loss = "loss.png", accuracy = "accuracy.png",
            index = "index.html"
        package static let gradCAM = "gradcam.png", patterns = "patterns.png"
    }

    /// Evaluates the model on `test` and writes the report into `folder` (created if needed).
    /// - Parameters:
    ///   - modelName: how the model is named on the page (its path).
    ///   - records: the training log's records; nil when there is no log.
    package static func write(
        inspection: ModelInspection, modelName: String, datasetName: String, test: Dataset,
        records: [EpochRecord]?, to folder: String
    ) throws -> Result {
        let predictions = try TestSetPredictions(model: inspection.model, data: test)
        try Report.makeFolder(folder)
        let names = inspection.classNames
        let matrix = try ConfusionMatrix(
            labels: test.labels, predictions: predictions.predictions, classNames: names)
        let accuracy = matrix.total == 0 ? 0 : Double(matrix.correct) / Double(matrix.total)
        let wrong = try MisclassifiedFigure(
            images: test.images, shape: test.shape, labels: test.labels,
            predictions: predictions.predictions, classNames: names)
        let misclassified = test.labels.indices.filter {
            test.labels[$0] != predictions.predictions[$0]
        }
        var files = [String]()
        func save(_ figure: some Figure, _ name: String) throws {
            try figure.write(to: folder + "/" + name)
            files.append(name)
        }
        func save(text: String, _ name: String) throws {
            try FileAccess.writeAtomically(Array(text.utf8), to: folder + "/" + name)
            files.append(name)
        }
        var figures = [ReportPage.Item]()
        try save(
            ConfusionFigure(
                matrix: matrix, title: "Confusion matrix on \(matrix.total) test images"),
            File.confusion)
        figures.append(
            .init(
                file: File.confusion,
                caption:
                    "Rows: true class; columns: predicted class. Colour: log10(1 + count), so single errors stand out."
            ))
        try save(ErrorsFigure(matrix: matrix), File.errors)
        figures.append(
            .init(file: File.errors, caption: "Misclassified test images of each true class."))
        try save(wrong, File.misclassified)
        figures.append(
            .init(
                file: File.misclassified,
                caption:
                    "The first \(wrong.indices.count) misclassified test images in test-set order, titled predicted (true: label)."
            ))
        let looks = ReportInspection(inspection: inspection, test: test)
        if let figure = try looks.gradCAM(misclassified: Array(wrong.indices.prefix(18))) {
            try save(figure, File.gradCAM)
            figures.append(.init(file: File.gradCAM, caption: looks.gradCAMCaption(figure)))
        }
        if let figure = try looks.patterns() {
            try save(figure, File.patterns)
            figures.append(.init(file: File.patterns, caption: ReportInspection.patternsCaption))
        }
        if let records, !records.isEmpty {
            try save(CurvesFigure(records: records, measure: .loss), File.loss)
            figures.append(
                .init(
                    file: File.loss,
                    caption:
                        "Cross-entropy per epoch: training (mean over the epoch's batches, dropout on) and test."
                ))
            try save(CurvesFigure(records: records, measure: .accuracy), File.accuracy)
            figures.append(
                .init(file: File.accuracy, caption: "Accuracy per epoch: training and test."))
        }
        if !inspection.convolutions.isEmpty {
            let (layer, weights) = try inspection.kernel(layer: nil)
            let colour = weights.inputChannels == 3
            let figure = FilterFigure(
                weights: weights,
                title: "\(inspection.displayName(of: layer)): \(weights.filters) "
                    + (weights.filters == 1 ? "filter" : "filters")
                    + ", \(weights.width)x\(weights.height), \(weights.inputChannels) input "
                    + (weights.inputChannels == 1 ? "channel" : "channels")
                    + (colour ? " (RGB)" : ""),
                reduction: weights.inputChannels > 1 && !colour ? .mean : nil, colour: colour)
            try save(figure, File.filters)
            figures.append(
                .init(
                    file: File.filters,
                    caption: colour
                        ? "The first convolution's learned kernels as colour: each of red, green and blue from none (most negative) through mid grey (zero) to full (most positive), on one scale."
                        : "The first convolution's learned kernels on one symmetric scale: red positive, blue negative, white zero."
                ))
        }
        try save(text: matrix.csv, File.confusionCSV)
        let rows = misclassified.map {
            "\($0),\(csvField(names[test.labels[$0]])),\(csvField(names[predictions.predictions[$0]]))"
        }
        try save(
            text: (["index,true,predicted"] + rows).joined(separator: "\n") + "\n",
            File.misclassifiedCSV)
        let page = ReportPage(
            title: "convkit report: \(modelName)",
            headline: [
                ("test accuracy", percent(accuracy)),
                ("misclassified", "\(matrix.total - matrix.correct) of \(matrix.total)"),
                ("test loss", fixed(predictions.loss, 4)), ("dataset", datasetName),
                ("parameters", "\(inspection.model.parameterCount)"),
                ("epochs", records.map { String($0.count) } ?? "no log"),
            ],
            figures: figures,
            downloads: [
                .init(
                    file: File.confusionCSV,
                    caption: "confusion matrix, rows true, columns predicted"),
                .init(
                    file: File.misclassifiedCSV,
                    caption: "every misclassified test image: index, true, predicted"),
            ],
            matrix: matrix, records: records ?? [],
            note: records == nil
                ? "No training log was found beside the model, so there are no loss and accuracy curves."
                : nil)
        try save(text: page.html, File.index)
        return Result(
            matrix: matrix, loss: predictions.loss, accuracy: accuracy,
            misclassified: misclassified, files: files)
    }

    /// Creates `folder` and its parents unless it is already a folder.
    /// - Throws: ``VisualizationError/cannotWrite(path:reason:)`` when that fails.
    package static func makeFolder(_ folder: String) throws {
        if FileAccess.isDirectory(folder) { return }
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw VisualizationError.cannotWrite(
                path: folder,
                reason:
                    "cannot create the folder (\(FileManager.default.fileExists(atPath: folder) ? "a file of that name exists" : "permission or path problem"))"
            )
        }
    }
}
