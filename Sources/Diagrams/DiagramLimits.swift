// DiagramLimits: how many frames and pixels one diagram file or frames folder may take, checked
// before anything is drawn, so large parameters or scales fail at once with the largest scale
// that fits instead of running for minutes or asking cairo for an impossible surface.

import Drawing

extension DiagramFigure {
    /// The most frames a GIF holds (a 50x50 output), so an animation stays a file people can open.
    package static let maximumAnimationFrames = 2500

    /// The most pixels drawn for one animation or frames folder, all frames together: about
    /// twenty seconds of drawing and encoding on one core.
    package static let maximumDrawnPixels = 2_000_000_000

    /// The pixel size of a PNG or GIF frame at `scale`.
    package func pixelSize(scale: Double) -> (width: Int, height: Int) {
        let (width, height) = Canvas.pixelSize(
            width: size.width, height: size.height, scale: scale)
        return (Int(width), Int(height))
    }

    /// Checks that `frames` frames can be drawn as PNG or GIF at `scale`: each within cairo's
    /// canvas limits and all together within ``maximumDrawnPixels``.
    /// - Throws: ``DiagramError/tooLarge(_:largestScale:)`` naming the size and the largest scale
    ///   that fits.
    package func checkDrawing(frames: Int, scale: Double) throws(DiagramError) {
        guard let problem = drawingProblem(frames: frames, scale: scale) else { return }
        // Work down from the scale the limits allow, by hundredths, to one that fits after
        // rounding to whole pixels.
        let width = size.width
        let height = size.height
        let side = Double(Canvas.maximumPixelSide) / max(width, height)
        let area = (Double(Canvas.maximumPixels) / (width * height)).squareRoot()
        let total = (Double(Self.maximumDrawnPixels) / Double(frames) / (width * height))
            .squareRoot()
        var hundredths = Int((min(side, area, total, scale) * 100).rounded(.down))
        while hundredths > 0, drawingProblem(frames: frames, scale: Double(hundredths) / 100) != nil
        {
            hundredths -= 1
        }
        throw .tooLarge(problem, largestScale: Double(hundredths) / 100)
    }

    /// What is too large about drawing `frames` frames at `scale`, or `nil` if nothing is.
    private func drawingProblem(frames: Int, scale: Double) -> String? {
        let (width, height) = pixelSize(scale: scale)
        if max(width, height) > Canvas.maximumPixelSide {
            return
                "\(width)x\(height)-pixel frames are more than cairo's \(Canvas.maximumPixelSide) pixels a side"
        }
        if width * height > Canvas.maximumPixels {
            return
                "\(width)x\(height)-pixel frames are more than \(Canvas.maximumPixels) pixels each"
        }
        let total = frames * width * height
        if total > Self.maximumDrawnPixels {
            return
                "\(frames) frames of \(width)x\(height) pixels are \(Self.billions(total)) billion pixels to draw, more than \(Self.billions(Self.maximumDrawnPixels)) billion"
        }
        return nil
    }

    /// `count` in billions with one decimal, as `5.4` (whole numbers without it).
    private static func billions(_ count: Int) -> String {
        let tenths = (Double(count) / 1e8).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0
            ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
