// `convkit diagram`: convolution-arithmetic figures and animations for any parameters.

import ArgumentParser
import ConvkitSupport
import Convolution
import Diagrams
import Drawing
import Foundation

struct Diagram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Draw convolution-arithmetic diagrams and animations (PNG, SVG, PDF, GIF).",
        usage: "convkit diagram [<options>] -o <file>\n       convkit diagram --all -o <folder/>",
        discussion: """
            Draws the input grid below and the output grid above, with the kernel's footprint \
            and the current output cell shaded, in the style of Dumoulin & Visin's "A guide to \
            convolution arithmetic for deep learning". Sizes are computed, never typed: the \
            caption shows the output-size formula evaluated for the parameters.

            Per-axis values are N or WxH (width x height). Padding is N, T,B,L,R, or same, \
            valid or full. The output format follows the extension: .png, .svg and .pdf hold \
            one frame (--frame), .gif holds one frame per output cell in row order, looping.

            Examples:
              convkit diagram --input 5 --kernel 3 --stride 2 --padding 1 -o conv.gif
              convkit diagram --input 4x6 --kernel 2x3 --padding same --flat -o conv.svg
              convkit diagram --input 3 --stride 2 --padding 1 --transposed -o up.gif
              convkit diagram --input 4 --kernel 2 --stride 2 --pool max -o pool.png
              convkit diagram --all -o diagrams/
            """
    )

    @Option(valueHelp: "Input size: N or WxH (default: 5).", valueName: "N|WxH")
    var input: AxisPairArgument?

    @Option(
        valueHelp: "Kernel (or pooling window) size: N or WxH (default: 3).", valueName: "N|WxH")
    var kernel: AxisPairArgument?

    @Option(valueHelp: "Stride: N or WxH (default: 1).", valueName: "N|WxH")
    var stride: AxisPairArgument?

    @Option(
        valueHelp: "Dilation: N or WxH; every d-th cell is in the footprint (default: 1).",
        valueName: "N|WxH")
    var dilation: AxisPairArgument?

    @Option(
        valueHelp: "Padding: N, T,B,L,R, or same, valid or full (default: 0).",
        valueName: "N|T,B,L,R|same|valid|full")
    var padding: DiagramPaddingArgument?

    @Flag(
        help:
            "Draw a transposed convolution (as its equivalent direct convolution, inserted zeros dashed)."
    )
    var transposed = false

    @Option(
        valueHelp: "Extra output columns/rows of a transposed convolution: N or WxH (default: 0).",
        valueName: "N|WxH")
    var outputPadding: AxisPairArgument?

    @Option(
        help:
            "Show pooling instead of a convolution, with numbers in the cells; max pooling pads with -inf, as PyTorch does (default: none)."
    )
    var pool: Pooling?

    @Flag(help: "Write numbers in the cells: input values, kernel weights and outputs.")
    var values = false

    @Flag(help: "Draw both grids face-on, side by side, instead of as slanted planes.")
    var flat = false

    @Option(help: "Colours.")
    var theme = DiagramTheme.classic

    @Option(
        valueHelp: "The frame a PNG, SVG or PDF shows, from 1 (the first output cell).",
        valueName: "N")
    var frame = 1

    @Option(valueHelp: "Hundredths of a second between GIF frames.", valueName: "cs")
    var delay = 80

    @Option(
        valueHelp: "Pixels per unit in PNG and GIF output (2 for sharp slides).", valueName: "scale"
    )
    var scale = NumberArgument(1)

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Output file (.png, .svg, .pdf, .gif); with --all, the folder to fill.",
            valueName: "file|folder/"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Also write every frame as numbered PNGs into this folder.", valueName: "folder"))
    var frames: String?

    @Flag(
        help:
            "Write the standard set (the guide's 15 animations plus numerical and pooling examples) as GIF and SVG, with an index.html gallery, into the --output folder."
    )
    var all = false

    /// The geometry options given, by name, for the check that --all takes none of them.
    private var geometryOptions: [String] {
        [
            ("--input", input != nil), ("--kernel", kernel != nil), ("--stride", stride != nil),
            ("--dilation", dilation != nil), ("--padding", padding != nil),
            ("--transposed", transposed), ("--output-padding", outputPadding != nil),
            ("--pool", pool != nil), ("--values", values), ("--frame", frame != 1),
            ("--frames", frames != nil),
        ].filter(\.1).map(\.0)
    }

    func validate() throws {
        if all {
            guard output != nil else {
                throw ValidationError("--all writes into the folder given with -o DIR")
            }
            if let given = geometryOptions.first {
                throw ValidationError(
                    "\(given) does not apply to --all, which draws the standard set as it is")
            }
            if let output, !OutputPaths.namesFolder(output),
                FileManager.default.fileExists(atPath: output)
            {
                throw ValidationError("\(output): --all needs a folder, and this is a file")
            }
            return
        }
        guard output != nil || frames != nil else {
            throw ValidationError(
                "give an output: -o FILE (.png, .svg, .pdf or .gif), --frames DIR, or --all -o DIR")
        }
        let format = try output.map {
            try OutputPaths.format(of: $0, among: DiagramFileFormat.allCases, what: "a diagram")
        }
        // Options the outputs make meaningless are mistakes, not silently ignored.
        if frame != 1, format == nil || format == .gif {
            throw ValidationError(
                "--frame picks the frame of a .png, .svg or .pdf output; a .gif and --frames hold every frame"
            )
        }
        if delay != 80, format != .gif {
            throw ValidationError("--delay applies only to a .gif output")
        }
        if scale.value != 1, format != .png, format != .gif, frames == nil {
            throw ValidationError(
                "--scale applies only to .png and .gif outputs and --frames; .svg and .pdf are drawn to any size"
            )
        }
        try (input ?? AxisPairArgument(AxisPair(5))).requireAtLeast(1, option: "--input")
        try (kernel ?? AxisPairArgument(AxisPair(3))).requireAtLeast(1, option: "--kernel")
        try (stride ?? AxisPairArgument(AxisPair(1))).requireAtLeast(1, option: "--stride")
        try (dilation ?? AxisPairArgument(AxisPair(1))).requireAtLeast(1, option: "--dilation")
        try (outputPadding ?? AxisPairArgument(AxisPair(0))).requireAtLeast(
            0, option: "--output-padding")
        if case .explicit(let p) = padding, min(p.top, p.bottom, p.left, p.right) < 0 {
            throw ValidationError("--padding cannot be negative, got \(p)")
        }
        if outputPadding != nil && !transposed {
            throw ValidationError("--output-padding applies only to --transposed")
        }
        if pool != nil && transposed {
            throw ValidationError("--pool has no transposed form: drop --transposed or --pool")
        }
        guard frame >= 1 else { throw ValidationError("--frame counts from 1, got \(frame)") }
        guard (0...65535).contains(delay) else {
            throw ValidationError("--delay must be 0 to 65535, got \(delay)")
        }
        try scale.require(0...8, option: "--scale", what: "above 0 and at most 8")
        guard scale.value > 0 else {
            throw ValidationError("--scale must be above 0 and at most 8, got 0")
        }
    }

    func run() throws {
        let style = DiagramStyle(theme: theme, flat: flat)
        if all, let folder = output {
            try OutputPaths.createFolder(folder)
            let files = try Gallery.write(
                to: OutputPaths.trimmedFolder(folder), style: style, delay: delay,
                scale: scale.value)
            print(
                "\(OutputPaths.join(folder, "index.html")): \(counted(StandardSet.diagrams.count, "diagram")), \(counted(files.count, "file"))"
            )
            return
        }
        let kernelSize = (kernel ?? AxisPairArgument(AxisPair(3))).pair
        let dilationSize = (dilation ?? AxisPairArgument(AxisPair(1))).pair
        let parameters: DiagramParameters
        let figure: DiagramFigure
        do {
            parameters = DiagramParameters(
                input: (input ?? AxisPairArgument(AxisPair(5))).pair, kernel: kernelSize,
                stride: (stride ?? AxisPairArgument(AxisPair(1))).pair, dilation: dilationSize,
                padding: try (padding ?? .explicit(Padding(all: 0))).resolved(
                    kernel: kernelSize, dilation: dilationSize),
                transposed: transposed,
                outputPadding: (outputPadding ?? AxisPairArgument(AxisPair(0))).pair,
                pooling: pool, showValues: values)
            figure = try DiagramFigure(parameters: parameters, style: style)
            guard frame <= figure.frameCount else {
                throw DiagramError.noSuchFrame(frame: frame, count: figure.frameCount)
            }
        } catch let error as DiagramError {
            throw ValidationError(error.description)
        }
        try checkSizes(of: figure)
        if let path = output {
            try figure.write(to: path, frame: frame - 1, delay: delay, scale: scale.value)
        }
        if let folder = frames {
            try OutputPaths.createFolder(folder)
            try figure.writeFrames(
                toDirectory: OutputPaths.trimmedFolder(folder), scale: scale.value)
        }
        let geometry = figure.geometry
        print(
            "input \(Sizes.text(width: parameters.input.columns, height: parameters.input.rows)) -> output \(Sizes.text(width: geometry.output.columns, height: geometry.output.rows)), \(counted(figure.frameCount, "frame"))"
        )
    }
}

extension Diagram {
    /// Refuses, before anything is written, outputs that would take too many frames or pixels,
    /// naming the output and the largest --scale that fits.
    private func checkSizes(of figure: DiagramFigure) throws {
        var drawings = [(name: String, frames: Int)]()
        if let path = output {
            switch path.lowercased().split(separator: ".").last {
            case "gif":
                guard figure.frameCount <= DiagramFigure.maximumAnimationFrames else {
                    throw ValidationError(
                        "\(path): the animation would have \(figure.frameCount) frames, more than \(DiagramFigure.maximumAnimationFrames): draw one frame as PNG, SVG or PDF, or write --frames DIR"
                    )
                }
                drawings.append((path, figure.frameCount))
            case "png": drawings.append((path, 1))
            default: break
            }
        }
        if let frames { drawings.append((frames, figure.frameCount)) }
        for (name, frames) in drawings {
            do {
                try figure.checkDrawing(frames: frames, scale: scale.value)
            } catch .tooLarge(let detail, let largestScale) {
                throw ValidationError(
                    largestScale > 0
                        ? "\(name): \(detail): use --scale \(plainNumber(largestScale)) or less, or fewer cells"
                        : "\(name): \(detail): draw fewer cells, or one frame as SVG or PDF")
            } catch {
                throw ValidationError("\(name): \(error)")
            }
        }
    }
}

/// The files `diagram -o` writes, by extension.
enum DiagramFileFormat: String, CaseIterable {
    case png, svg, pdf, gif
}
