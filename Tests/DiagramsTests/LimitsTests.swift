// LimitsTests: diagrams too large to draw are refused before any drawing, with the largest scale
// that fits, instead of running for minutes or failing inside cairo.

import ConvkitTestSupport
import Convolution
import Drawing
import Foundation
import Testing

@testable import Diagrams

struct LimitsTests {
    /// A 128x128 padded grid: 3258x4419 units, the largest bottom grid there is.
    private func largest() throws -> DiagramFigure {
        try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(64), kernel: AxisPair(1), padding: Padding(all: 32)))
    }

    /// A 37x37 output over a 39x39 grid: 1369 frames.
    private func manyFrames() throws -> DiagramFigure {
        try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(12), kernel: AxisPair(3), stride: AxisPair(3), transposed: true,
                outputPadding: AxisPair(1)),
            style: DiagramStyle(flat: true))
    }

    /// The largest scale the error names fits, a hundredth more does not.
    private func expectLargestScale(_ figure: DiagramFigure, frames: Int, scale: Double) {
        do {
            try figure.checkDrawing(frames: frames, scale: scale)
            Issue.record("scale \(scale) for \(frames) frames was not refused")
        } catch .tooLarge(_, let largestScale) {
            #expect(largestScale > 0 && largestScale < scale)
            #expect(throws: Never.self) {
                try figure.checkDrawing(frames: frames, scale: largestScale)
            }
            #expect(throws: DiagramError.self) {
                try figure.checkDrawing(frames: frames, scale: largestScale + 0.01)
            }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aStillFrameWiderThanCairoAllowsIsRefusedWithTheScaleThatFits() throws {
        let figure = try largest()
        expectLargestScale(figure, frames: 1, scale: 8)
        #expect(throws: DiagramError.self) {
            try figure.write(
                to: NSTemporaryDirectory() + "convkit-never-\(UUID().uuidString).png", scale: 8)
        }
    }

    @Test func anAnimationOfTooManyPixelsIsRefusedBeforeDrawing() throws {
        let figure = try manyFrames()
        #expect(figure.frameCount == 1369)
        expectLargestScale(figure, frames: figure.frameCount, scale: 1)
        let started = Date()
        #expect(throws: DiagramError.self) { try figure.animation(scale: 1) }
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func aFramesFolderOfTooManyPixelsIsRefusedBeforeItsFirstFile() throws {
        let folder = try temporaryFolder("diagram-limits")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: DiagramError.self) {
            try self.largest().writeFrames(toDirectory: folder, scale: 1)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func vectorOutputHasNoPixelLimit() throws {
        let folder = try temporaryFolder("diagram-limits")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try largest().write(to: folder + "/big.svg", scale: 8)
        #expect(FileManager.default.fileExists(atPath: folder + "/big.svg"))
    }
}
