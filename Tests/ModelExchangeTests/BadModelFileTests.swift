// BadModelFileTests: damaged and unsupported model files give one clear error naming the file.

import ConvkitTestSupport
import Foundation
import LearnedFilters
import ModelExchange
import Testing

@Suite struct BadModelFileTests {
    /// The message of the error that opening `bytes` (as `name`) throws.
    func failure(_ bytes: [UInt8], name: String, options: ModelOpenOptions = ModelOpenOptions())
        -> String
    {
        do {
            _ = try ModelFiles.open(bytes: bytes, path: name, options: options)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func bytes(_ fixture: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(fixture))))
    }

    @Test func truncatedZipIsDamaged() throws {
        let whole = try bytes("keras/tutorial.keras")
        for length in [whole.count / 2, whole.count - 30, 100] {
            let message = failure(Array(whole.prefix(length)), name: "cut.keras")
            #expect(message.hasPrefix("cut.keras: "), "\(message)")
            #expect(message.contains("zip") || message.contains("HDF5"), "\(message)")
            #expect(!message.contains("\n"))
        }
    }

    /// A `.keras` archive stores its weights uncompressed, so a flipped byte there would load
    /// as another weight: the member's CRC-32 must catch it, as Python's zipfile does.
    @Test func flippedWeightByteFailsTheChecksum() throws {
        var archive = try bytes("keras/tutorial.keras")
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        let weights = try #require(
            (0..<archive.count - 8).first { Array(archive[$0..<$0 + 8]) == signature })
        archive[weights + (archive.count - weights) / 2] ^= 0x40
        let message = failure(archive, name: "flip.keras")
        #expect(
            message
                == "flip.keras: model.weights.h5 is damaged: its bytes do not match the archive's CRC-32 or size"
        )
    }

    @Test func hdf5WithoutWeightsSaysSo() throws {
        let message = failure(
            try bytes("keras/no-weights.h5"), name: "empty.weights.h5",
            options: ModelOpenOptions(architecture: LayerSpec.tutorial))
        #expect(
            message
                == "empty.weights.h5: holds no Keras layer weights (no 'layers' group: not a Keras 3 .weights.h5 file)"
        )
    }

    @Test func weightsWithoutArchitectureAskForOne() throws {
        let message = failure(try bytes("keras/tutorial.weights.h5"), name: "w.weights.h5")
        #expect(message.hasPrefix("w.weights.h5: holds weights without an architecture"))
    }

    @Test func weightsOfAnotherArchitectureNameTheLayer() throws {
        let message = failure(
            try bytes("keras/tutorial.weights.h5"), name: "w.weights.h5",
            options: ModelOpenOptions(architecture: "conv2d:16:3x3:relu,flatten,dense:10"))
        #expect(message.contains("conv2d") && message.contains("shape"), "\(message)")
    }

    /// The error message for the tutorial's weights opened with its architecture edited by
    /// replacing `original` with `replacement`.
    private func failureWithArchitecture(replacing original: String, with replacement: String)
        throws -> String
    {
        var json = try String(contentsOfFile: Fixtures.path("keras/tutorial.json"), encoding: .utf8)
        json = json.replacingOccurrences(of: original, with: replacement)
        let folder = try temporaryFolder("architecture")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return failure(
            try bytes("keras/tutorial.weights.h5"), name: "w.weights.h5",
            options: ModelOpenOptions(architecture: path))
    }

    @Test func unsupportedLayerIsNamedWithItsClass() throws {
        let message = try failureWithArchitecture(
            replacing: "\"class_name\": \"Flatten\"", with: "\"class_name\": \"LayerNormalization\""
        )
        #expect(message.contains("layer 'flatten_1' is a LayerNormalization"), "\(message)")
    }

    @Test func unsupportedActivationIsNamed() throws {
        let message = try failureWithArchitecture(
            replacing: "\"units\": 64, \"activation\": \"linear\"",
            with: "\"units\": 64, \"activation\": \"softplus\"")
        #expect(
            message.contains("layer 'dense_2' (Dense) has activation 'softplus'"), "\(message)")
    }

    @Test func unsupportedActivationLayerIsNamed() throws {
        let message = try failureWithArchitecture(
            replacing: "\"class_name\": \"Dropout\", \"config\": {\"name\": \"dropout_1\"",
            with:
                "\"class_name\": \"Activation\", \"config\": {\"activation\": \"hard_sigmoid\", \"name\": \"dropout_1\""
        )
        #expect(
            message.contains("layer 'dropout_1' (Activation) has activation 'hard_sigmoid'"),
            "\(message)")
    }

    @Test func pngIsNotAModel() throws {
        let png = Array(
            try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/samples/ascent.png"))
        )
        #expect(failure(png, name: "ascent.png") == "ascent.png: a PNG image, not a model file")
    }

    @Test func otherBytesAreNotAModel() {
        let message = failure(Array("hello, world".utf8), name: "notes.txt")
        #expect(message.hasPrefix("notes.txt: not a model file convkit reads"))
    }
}
