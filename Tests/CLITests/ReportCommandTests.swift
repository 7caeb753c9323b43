// ReportCommandTests: `convkit report` on the whole MNIST test set, its files against `convkit
// evaluate`, and its errors.

import ConvkitTestSupport
import Foundation
import Testing

@Suite struct ReportCommandTests {
    @Test func reportOnTheWholeTestSet() throws {
        let model = try VisualizeFixture.model.get()
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CLI.run([
            "report", model, "-o", folder + "/report", "--data", VisualizeFixture.mnist,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.output.hasPrefix("10000 test images: accuracy "))

        // The confusion matrix sums to the 10,000 test images and equals `convkit evaluate`'s.
        let csv = try String(contentsOfFile: folder + "/report/confusion.csv", encoding: .utf8)
            .split(separator: "\n")
        #expect(csv.first == "true\\predicted,0,1,2,3,4,5,6,7,8,9")
        let rows = csv.dropFirst().map {
            $0.split(separator: ",").dropFirst().compactMap { Int($0) }
        }
        #expect(rows.joined().reduce(0, +) == 10_000)
        let evaluation = try CLI.run([
            "evaluate", model, "--json", "--data", VisualizeFixture.mnist,
        ])
        let object = try #require(
            try JSONSerialization.jsonObject(with: evaluation.stdout) as? [String: Any])
        #expect(object["confusion"] as? [[Int]] == rows)

        // misclassified.csv lists exactly the off-diagonal samples, each with true != predicted.
        let listed = try String(
            contentsOfFile: folder + "/report/misclassified.csv", encoding: .utf8
        )
        .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        let offDiagonal = rows.enumerated().map { $0.element.reduce(0, +) - $0.element[$0.offset] }
            .reduce(0, +)
        #expect(listed.count == offDiagonal)
        #expect(listed.allSatisfy { $0.count == 3 && $0[1] != $0[2] })
        #expect(listed.map { Int($0[0]) ?? -1 } == listed.map { Int($0[0]) ?? -1 }.sorted())

        // index.html shows every figure, each exists as a PNG; the log gave the curves.
        let figures = try shownFigures(inReport: folder + "/report")
        #expect(Set(figures.keys) == reportFigures)
        for (name, image) in figures {
            #expect(image.width >= 300 && image.height >= 300, "\(name)")
        }
        let html = try String(contentsOfFile: folder + "/report/index.html", encoding: .utf8)
        #expect(html.contains("<tr><td>1</td>"))
    }

    @Test func reportWithoutLogAndWithBadInput() throws {
        let model = try VisualizeFixture.model.get()
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/copy.safetensors"
        try FileManager.default.copyItem(atPath: model, toPath: copy)
        let run = try CLI.run([
            "report", copy, "-o", folder + "/r", "--data", VisualizeFixture.mnist, "--test-limit",
            "300",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.output.contains("300 test images") && run.output.contains("no training log"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/r/loss.png"))
        #expect(
            try String(contentsOfFile: folder + "/r/index.html", encoding: .utf8).contains(
                "No training log"))

        try Data("epoch,loss,accuracy,test_loss,test_accuracy,seconds\n1,0.5\n".utf8).write(
            to: URL(fileURLWithPath: folder + "/bad.csv"))
        let badLog = try CLI.run([
            "report", copy, "-o", folder + "/r2", "--data", VisualizeFixture.mnist, "--log",
            folder + "/bad.csv",
        ])
        #expect(badLog.status == 1 && badLog.stderr.contains("bad.csv: line 2: expected 6 numbers"))

        let noData = try CLI.run([
            "report", copy, "-o", folder + "/r3", "--data", folder + "/nowhere",
        ])
        #expect(noData.status == 1 && noData.stderr.contains("/nowhere: no such folder"))

        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/file"))
        let notFolder = try CLI.run([
            "report", copy, "-o", folder + "/file", "--data", VisualizeFixture.mnist,
            "--test-limit", "10",
        ])
        #expect(notFolder.status == 2 && notFolder.stderr.contains("file: is a file"))
    }
}
