// TestSupport: pixel access, a small SVG reader, temporary folders and a tiny trained model for the
// Visualization tests.

import Foundation
import ImageIO
import LearnedFilters
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension Image {
    /// The 8-bit RGB of the pixel at (`x`, `y`).
    func rgb(_ x: Int, _ y: Int) -> [Int] {
        (0..<3).map { sample(x: x, y: y, channel: channels < 3 ? 0 : $0) }
    }
}

/// The RGB of a canvas colour's bytes.
func rgb(_ bytes: [UInt8]) -> [Int] { bytes.prefix(3).map(Int.init) }

/// Collects the element names and attributes of an SVG document with Foundation's XML parser.
final class SVGElements: NSObject, XMLParserDelegate {
    private(set) var names = [String]()
    private(set) var wellFormed = false

    init(_ bytes: [UInt8]) {
        super.init()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = self
        wellFormed = parser.parse()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        if elementName == "use", attributeDict["xlink:href"]?.hasPrefix("#glyph") == true {
            names.append("glyph")
        } else {
            names.append(elementName)
        }
    }

    /// Glyphs placed (cairo writes each drawn letter as a `<use>` of a glyph symbol).
    var glyphCount: Int { names.filter { $0 == "glyph" }.count }
}

/// A fresh empty folder under the system's temporary folder.
func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "convkit-vis-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The package root, for data/mnist (fetched by scripts/fetch-datasets.sh).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().path

/// MNIST from data/mnist, loaded once.
let mnist: (train: Dataset, test: Dataset)? = {
    let folder = packageRoot + "/data/mnist"
    guard let train = try? Dataset.load(.mnist, split: .train, folder: folder),
        let test = try? Dataset.load(.mnist, split: .test, folder: folder)
    else { return nil }
    return (train, test)
}()

/// The tutorial's network trained for one epoch on the first 1,000 MNIST training images
/// (about 80% test accuracy: plenty of errors to draw). Trained once; each call builds a fresh
/// model from the weights, because layers keep scratch buffers and tests run in parallel.
func tinyTrainedModel() throws -> Model {
    try Model.load(file: tinyModelFile.get(), path: "tiny.safetensors")
}

private let tinyModelFile = Result<SafeTensorsFile, Error> {
    let data = try #require(
        mnist, "run 'bash scripts/fetch-datasets.sh' to put MNIST in data/mnist")
    let model = try Model(
        architecture: LayerSpec.parse(LayerSpec.tutorial), inputShape: [28, 28, 1], seed: 7)
    let trainer = Trainer(
        model: model, configuration: TrainingConfiguration(epochs: 1, batchSize: 50, seed: 7))
    try trainer.trainEpoch(data.train.prefix(1000))
    return model.safeTensors()
}
