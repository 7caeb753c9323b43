// Support: fixture paths, the MNIST test images and the logit comparison for the exchange tests.

import ConvkitTestSupport
import Foundation
import LearnedFilters
import Testing

/// The committed fixtures.
enum Fixtures {
    static let folder = FixtureFolder(bundle: .module)

    /// A file in Fixtures/ (e.g. `keras/tutorial.keras`); throws when it is missing.
    static func path(_ name: String) throws -> String {
        let path = folder.path(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw FixtureError("fixture \(name) is missing")
        }
        return path
    }

    /// A JSON fixture as a dictionary.
    static func json(_ name: String) throws -> [String: Any] { try folder.jsonObject(name) }

    /// The MNIST test split from data/mnist (scripts/fetch-datasets.sh).
    static func mnistTest() throws -> Dataset {
        let folder = packageRoot + "/data/mnist"
        guard FileManager.default.fileExists(atPath: folder) else {
            Issue.record("data/mnist is missing: run 'bash scripts/fetch-datasets.sh'")
            throw CancellationError()
        }
        return try Dataset.load(.mnist, split: .test, folder: folder)
    }
}

/// The model's logits on the first `count` images of `data`.
func logits(_ model: Model, _ data: Dataset, count: Int = 100) throws -> [Float] {
    let (images, _) = data.batch(Array(0..<count)[...])
    return try model.forward(images).values
}

/// The largest difference between `values` and `reference`, as a fraction of the reference's
/// range (max - min).
func errorOfRange(_ values: [Float], _ reference: [Float]) -> Float {
    guard values.count == reference.count, let low = reference.min(), let high = reference.max()
    else { return .infinity }
    return zip(values, reference).map { abs($0 - $1) }.max().map { $0 / (high - low) } ?? 0
}

/// The number of test images the model classifies correctly.
func correct(_ model: Model, _ data: Dataset) throws -> Int {
    Int((try Evaluation(model: model, data: data).accuracy * Double(data.count)).rounded())
}
