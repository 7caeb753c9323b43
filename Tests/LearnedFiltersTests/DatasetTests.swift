// DatasetTests: loading IDX files, errors for missing and malformed ones, and MNIST-style preprocessing.

import Foundation
import ImageIO
import LearnedFilters
import Testing

@Suite struct DatasetTests {
    private func folder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "convkit-lf-data-\(getpid())-\(name)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func idx(type: UInt8, dimensions: [Int], data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for size in dimensions {
            bytes += [
                UInt8(size >> 24 & 255), UInt8(size >> 16 & 255), UInt8(size >> 8 & 255),
                UInt8(size & 255),
            ]
        }
        return bytes + data
    }

    private func write(_ dir: String, images: [UInt8], labels: [UInt8]) throws {
        try FileAccess.writeAtomically(images, to: dir + "/t10k-images-idx3-ubyte")
        try FileAccess.writeAtomically(labels, to: dir + "/t10k-labels-idx1-ubyte")
    }

    @Test func loadsRawIDXScaledToUnitRange() throws {
        let dir = try folder("good")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(
            dir, images: idx(type: 8, dimensions: [2, 2, 2], data: [0, 255, 51, 102, 1, 2, 3, 4]),
            labels: idx(type: 8, dimensions: [2], data: [7, 0]))
        let data = try Dataset.load(.mnist, split: .test, folder: dir)
        #expect(data.count == 2 && data.shape == [2, 2, 1] && data.labels == [7, 0])
        #expect(data.images[1] == 1 && data.images[2] == 0.2)
    }

    @Test func missingDatasetNamesTheFileAndTheDataset() throws {
        #expect(
            throws: LearnedFiltersError.datasetMissing(
                path: "/nonexistent/fashion/train-images-idx3-ubyte.gz", dataset: "fashion-mnist")
        ) {
            try Dataset.load(.fashionMNIST, split: .train, folder: "/nonexistent/fashion")
        }
    }

    @Test func malformedFilesNameTheFile() throws {
        let dir = try folder("bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let labels = idx(type: 8, dimensions: [2], data: [1, 2])
        let cases: [([UInt8], [UInt8], String)] = [
            (idx(type: 8, dimensions: [2, 2, 2], data: [1, 2, 3]), labels, "images"),
            (idx(type: 8, dimensions: [8], data: [1, 2, 3, 4, 5, 6, 7, 8]), labels, "images"),
            (
                idx(type: 8, dimensions: [2, 2, 2], data: Array(repeating: 1, count: 8)),
                idx(type: 8, dimensions: [3], data: [1, 2, 3]), "labels"
            ),
            (
                idx(type: 8, dimensions: [2, 2, 2], data: Array(repeating: 1, count: 8)),
                idx(type: 8, dimensions: [2], data: [1, 12]), "labels"
            ),
        ]
        for (images, labelBytes, culprit) in cases {
            try write(dir, images: images, labels: labelBytes)
            #expect {
                try Dataset.load(.mnist, split: .test, folder: dir)
            } throws: { error in
                String(describing: error).hasPrefix(dir + "/t10k-\(culprit)-idx")
            }
        }
    }

    @Test func digitImagesAreCentredAndInverted() throws {
        // A dark 10x20 bar on a white 60x40 canvas, off centre.
        var pixels = [UInt8](repeating: 255, count: 60 * 40)
        for y in 5..<25 { for x in 40..<50 { pixels[y * 60 + x] = 0 } }
        let image = try Image(width: 60, height: 40, channels: 1, samples: .uint8(pixels))
        let values = try DigitImage.mnistInput(from: image)
        #expect(values.count == 784)
        #expect(values[0] == 0 && values[783] == 0)
        let ink = values.indices.filter { values[$0] > 0.5 }
        let rows = Set(ink.map { $0 / 28 })
        let columns = Set(ink.map { $0 % 28 })
        #expect(rows.count == 20 && columns.count == 10)
        #expect(
            abs(Double(rows.reduce(0, +)) / 20 - 13.5) <= 1
                && abs(Double(columns.reduce(0, +)) / 10 - 13.5) <= 1)
    }

    /// Black or white ink on a transparent background reads as the same ink drawn white on
    /// black; an image of one flat colour has no digit and is refused.
    @Test(arguments: [28, 60]) func transparentBackgroundsAreTheBackground(side: Int) throws {
        let ink = Set((4..<20).map { $0 * side + side / 3 } + (4..<14).map { 4 * side + $0 })
        let white = (0..<side * side).map { ink.contains($0) ? UInt8(255) : 0 }
        let reference = try DigitImage.mnistInput(
            from: try Image(width: side, height: side, channels: 1, samples: .uint8(white)))
        for colour: [UInt8] in [[0, 0, 0], [255, 255, 255]] {
            let clear: [UInt8] = [9, 9, 9, 0]
            let pixels: [UInt8] = (0..<side * side).flatMap {
                ink.contains($0) ? colour + [255] : clear
            }
            let image = try Image(width: side, height: side, channels: 4, samples: .uint8(pixels))
            #expect(try DigitImage.mnistInput(from: image) == reference, "colour \(colour)")
        }
        for flat: [UInt8] in [[128], [0, 0, 0, 0]] {
            let image = try Image(
                width: side, height: side, channels: flat.count,
                samples: .uint8((0..<side * side).flatMap { _ in flat }))
            #expect(throws: LearnedFiltersError.self) { try DigitImage.mnistInput(from: image) }
        }
    }
}
