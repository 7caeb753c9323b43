// ImageFolderTests: folders of class folders of PNG images: classes, splits, decoding and the
// errors for bad data; batches made ahead on another thread train exactly as in-line ones.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@testable import LearnedFilters

@Suite final class ImageFolderTests {
    let root: String

    init() throws { root = try temporaryFolder("image-folder") }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    @Test func classesComeFromSortedFolderNamesAndFilesInNameOrder() throws {
        try writeImageFolder(
            root,
            ["zebra/b.png": 3, "zebra/a.png": 3, "apple/c.png": 3, "mango/d.png": 3, ".hidden/": 0])
        let folder = try ImageFolder.open(root, part: .train)
        #expect(folder.classNames == ["apple", "mango", "zebra"])
        #expect(
            folder.samples.map { ($0.path as NSString).lastPathComponent } == [
                "c.png", "d.png", "a.png", "b.png",
            ])
        #expect(folder.labels == [0, 1, 2, 2])
        #expect(folder.shape == [4, 4, 3])
    }

    @Test func batchesHoldTheDecodedPixelsInZeroToOne() throws {
        try writeTestImage(root + "/a/x.png", width: 2, height: 2, channels: 1, value: 51)
        try writeTestImage(root + "/b/y.png", width: 2, height: 2, channels: 1, value: 255)
        let folder = try ImageFolder.open(root, part: .train)
        #expect(folder.shape == [2, 2, 1])
        let (images, labels) = try folder.batch([1, 0])
        #expect(images.shape == [2, 2, 2, 1])
        #expect(images.values == [1, 1, 1, 1, 0.2, 0.2, 0.2, 0.2])
        #expect(labels == [1, 0])
    }

    @Test func imagesOfOtherSizesAreAreaResized() throws {
        try writeTestImage(root + "/a/x.png", width: 8, height: 6, channels: 3, value: 102)
        try writeTestImage(root + "/b/y.png", width: 3, height: 5, channels: 3, value: 204)
        #expect(throws: LearnedFiltersError.self) { try ImageFolder.open(root, part: .train) }
        let folder = try ImageFolder.open(root, part: .train, imageSize: (height: 4, width: 2))
        #expect(folder.shape == [4, 2, 3])
        let (images, _) = try folder.batch([0, 1])
        #expect(images.values.prefix(24).allSatisfy { abs($0 - 0.4) < 1e-6 })
        #expect(images.values.suffix(24).allSatisfy { abs($0 - 0.8) < 1e-6 })
    }

    @Test func trainAndTestFoldersAreTheTwoParts() throws {
        try writeImageFolder(
            root,
            [
                "train/a/1.png": 1, "train/b/2.png": 1, "train/b/3.png": 1, "test/a/4.png": 1,
                "test/b/5.png": 1,
            ])
        #expect(try ImageFolder.open(root, part: .train).count == 3)
        #expect(try ImageFolder.open(root, part: .test).count == 2)
        #expect(throws: LearnedFiltersError.self) {
            try ImageFolder.open(root, part: .train, validationSplit: 0.5)
        }
    }

    @Test func aValidationSplitIsSeededAndDisjoint() throws {
        var files = [String: Int]()
        for index in 0..<20 { files["\(["a", "b"][index % 2])/\(index).png"] = 3 }
        try writeImageFolder(root, files)
        let train = try ImageFolder.open(root, part: .train, validationSplit: 0.25, seed: 4)
        let test = try ImageFolder.open(root, part: .test, validationSplit: 0.25, seed: 4)
        #expect(train.count == 15)
        #expect(test.count == 5)
        #expect(Set(train.samples.map(\.path)).isDisjoint(with: test.samples.map(\.path)))
        let again = try ImageFolder.open(root, part: .test, validationSplit: 0.25, seed: 4)
        #expect(again.samples == test.samples)
        let other = try ImageFolder.open(root, part: .test, validationSplit: 0.25, seed: 5)
        #expect(other.samples != test.samples)
    }

    /// A limit takes the classes in turn, not the first classes of the class-by-class list.
    @Test func aLimitTakesImagesFromEveryClassInTurn() throws {
        var files = [String: Int]()
        for index in 0..<5 { files["a/\(index).png"] = 1 }
        for index in 0..<2 { files["b/\(index).png"] = 1 }
        for index in 0..<3 { files["c/\(index).png"] = 1 }
        try writeImageFolder(root, files)
        let folder = try ImageFolder.open(root, part: .train)
        func names(_ limit: Int?) -> [String] {
            folder.limited(to: limit).samples.map {
                String($0.path.dropFirst(root.count + 1))
            }
        }
        #expect(names(2) == ["a/0.png", "b/0.png"])
        #expect(names(4) == ["a/0.png", "a/1.png", "b/0.png", "c/0.png"])
        #expect(
            names(8) == [
                "a/0.png", "a/1.png", "a/2.png", "b/0.png", "b/1.png", "c/0.png", "c/1.png",
                "c/2.png",
            ])
        #expect(folder.limited(to: 8).labels == [0, 0, 0, 1, 1, 2, 2, 2])
        #expect(names(nil).count == 10)
        #expect(names(50).count == 10)
        // The held-out part of a split, limited, keeps every class it has, whatever the seed.
        for seed: UInt64 in 1...4 {
            let test = try ImageFolder.open(root, part: .test, validationSplit: 0.6, seed: seed)
            let classes = Set(test.labels)
            #expect(Set(test.limited(to: classes.count).labels) == classes, "seed \(seed)")
        }
    }

    @Test(arguments: [
        (["a/x.png": 3, "b/": 0], "/b: empty class folder"),
        (["a/x.png": 3, "b/notes.txt": 0], "/b/notes.txt: not a PNG image"),
        (["a/x.png": 3, "b/y.png": 1], "/b/y.png: a grey image among colour ones"),
        (["a/x.png": 3], ": only one class folder (a)"),
        (["loose.png": 3], ": no class folders"),
    ])
    func badDataIsNamed(_ files: [String: Int], _ message: String) throws {
        try writeImageFolder(root, files)
        do {
            _ = try ImageFolder.open(root, part: .train)
            Issue.record("no error for \(files)")
        } catch let error as LearnedFiltersError {
            #expect("\(error)".contains(root + message), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test func prefetchedBatchesTrainExactlyAsTheDataInMemory() throws {
        var files = [String: Int]()
        for index in 0..<24 { files["\(["a", "b", "c"][index % 3])/\(index).png"] = 3 }
        try writeImageFolder(root, files)
        let folder = try ImageFolder.open(root, part: .train)
        let inMemory = try folder.loaded()
        func train(_ data: some LabelledImages) throws -> [Float] {
            let model = try Model(
                architecture: LayerSpec.parse("conv2d:2:3x3:relu,flatten,dense:3"),
                inputShape: data.shape, seed: 2)
            let trainer = Trainer(
                model: model, configuration: TrainingConfiguration(batchSize: 5, seed: 2))
            try trainer.trainEpoch(data)
            try trainer.trainEpoch(data)
            return model.namedParameters.flatMap(\.parameter.value)
        }
        #expect(try train(folder) == train(inMemory))
    }

    @Test func aBatchThatCannotBeReadStopsTheEpochWithItsError() throws {
        try writeImageFolder(root, ["a/x.png": 3, "b/y.png": 3])
        let folder = try ImageFolder.open(root, part: .train)
        try Data("gone".utf8).write(to: URL(fileURLWithPath: root + "/b/y.png"))
        let model = try Model(
            architecture: LayerSpec.parse("flatten,dense:2"), inputShape: folder.shape, seed: 1)
        let trainer = Trainer(model: model, configuration: TrainingConfiguration(batchSize: 1))
        #expect(throws: ImageIOError.self) { try trainer.trainEpoch(folder) }
        #expect(trainer.completedEpochs == 0)
    }
}
