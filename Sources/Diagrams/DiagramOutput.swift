// DiagramOutput: writes a diagram as PNG, SVG or PDF (one frame), animated GIF, or numbered PNGs.

import Drawing
import ImageIO

extension DiagramFigure {
    /// Writes the figure to `path`, in the format its extension names: `.png`, `.svg` or
    /// `.pdf` hold frame `frame` (0-based), `.gif` holds every frame, `delay` hundredths of a
    /// second apart. PNG and GIF render `scale` pixels per unit. Writes are atomic.
    public func write(to path: String, frame: Int = 0, delay: Int = 80, scale: Double = 1) throws {
        if path.lowercased().hasSuffix(".gif") {
            let bytes = try animation(delay: delay, scale: scale)
            do {
                try FileAccess.writeAtomically(bytes, to: path)
            } catch let error as ImageIOError {
                throw DiagramError.writeFailed(path: path, reason: error.writeFailureReason)
            }
            return
        }
        let format: FigureFormat
        do {
            format = try FigureFormat(path: path)
        } catch {
            throw DiagramError.unknownFormat(path: path)
        }
        if format == .png { try checkDrawing(frames: 1, scale: scale) }
        try canvas(frame: frame, format: format, scale: scale).write(to: path)
    }

    /// The animated GIF of every frame, in row order of the output cells.
    package func animation(delay: Int = 80, scale: Double = 1) throws -> [UInt8] {
        guard frameCount <= DiagramFigure.maximumAnimationFrames else {
            throw DiagramError.invalid(
                "the animation would have \(frameCount) frames, more than \(DiagramFigure.maximumAnimationFrames): draw one frame as PNG, SVG or PDF, or each frame to a file of its own"
            )
        }
        try checkDrawing(frames: frameCount, scale: scale)
        var gif: AnimatedGIF?
        for frame in 0..<frameCount {
            let canvas = try canvas(frame: frame, format: .png, scale: scale)
            let (width, height) = canvas.pixelSize
            if gif == nil { gif = try AnimatedGIF(width: width, height: height, delay: delay) }
            try gif?.append(pixels: canvas.opaquePixels())
        }
        guard let gif else { throw DiagramError.invalid("the diagram has no frames") }
        return try gif.finish()
    }

    /// Writes every frame as `frame-001.png`, `frame-002.png`, ... into `directory` (which must
    /// exist) and returns the paths.
    @discardableResult
    package func writeFrames(toDirectory directory: String, scale: Double = 1) throws -> [String] {
        try checkDrawing(frames: frameCount, scale: scale)
        let digits = max(3, String(frameCount).count)
        return try (0..<frameCount).map { frame in
            let number = String(frame + 1)
            let path =
                "\(directory)/frame-\(String(repeating: "0", count: digits - number.count))\(number).png"
            try canvas(frame: frame, format: .png, scale: scale).write(to: path)
            return path
        }
    }
}
