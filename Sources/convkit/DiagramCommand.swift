// `convkit diagram`: convolution-arithmetic figures and animations for any parameters.

import ArgumentParser
import Convolution
import Diagrams
import Drawing
import Foundation

struct Diagram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Draw convolution-arithmetic diagrams and animations (PNG, SVG, PDF, GIF).",
        discussion: """
            Draws the input grid below and the output grid above, with the kernel's footprint and the current output cell shaded, in the style of Dumoulin & Visin's "A guide to convolution arithmetic for deep learning". Sizes are computed, never typed: the caption shows the output-size formula evaluated for the parameters.

            Per-axis values are written N or HxW (rows x columns). Padding is N, T,B,L,R, or same, valid or full. The output format follows the extension: .png, .svg and .pdf hold one frame (--frame), .gif holds one frame per output cell in row order, looping.

            Examples:
              convkit diagram --input 5 --kernel 3 --stride 2 --padding 1 -o conv.gif
              convkit diagram --input 6x4 --kernel 3x2 --padding same --flat -o conv.svg
              convkit diagram --input 3 --stride 2 --padding 1 --transposed -o up.gif
              convkit diagram --input 4 --kernel 2 --stride 2 --pool max -o pool.png
              convkit diagram --all -o diagrams/
            """
    )

    @Option(help: ArgumentHelp("Input size: N or HxW (rows x columns).", valueName: "HxW"))
    var input = AxisPairArgument(AxisPair(5))

    @Option(help: ArgumentHelp("Kernel (or pooling window) size: N or HxW.", valueName: "HxW"))
    var kernel = AxisPairArgument(AxisPair(3))

    @Option(help: ArgumentHelp("Stride: N or HxW.", valueName: "HxW"))
    var stride = AxisPairArgument(AxisPair(1))

    @Option(
        help: ArgumentHelp(
            "Dilation: N or HxW (every d-th cell is in the footprint).", valueName: "HxW"))
    var dilation = AxisPairArgument(AxisPair(1))

    @Option(help: ArgumentHelp("Padding: N, T,B,L,R, or same, valid or full.", valueName: "P"))
    var padding = DiagramPaddingArgument.explicit(Padding(all: 0))

    @Flag(
        help:
            "Draw a transposed convolution (as its equivalent direct convolution, inserted zeros dashed)."
    )
    var transposed = false

    @Option(
        help: ArgumentHelp(
            "Extra output rows/columns of a transposed convolution: N or HxW.", valueName: "HxW"))
    var outputPadding = AxisPairArgument(AxisPair(0))

    @Option(help: "Show pooling instead of a convolution, with numbers in the cells.")
    var pool: Pooling?

    @Flag(help: "Write numbers in the cells: input values, kernel weights and outputs.")
    var values = false

    @Flag(help: "Draw both grids face-on, side by side, instead of as slanted planes.")
    var flat = false

    @Option(help: "Colours.")
    var theme = DiagramTheme.classic

    @Option(
        help: ArgumentHelp(
            "The frame a PNG, SVG or PDF shows, from 1 (the first output cell).", valueName: "N"))
    var frame = 1

    @Option(help: ArgumentHelp("Hundredths of a second between GIF frames.", valueName: "CS"))
    var delay = 80

    @Option(
        help: ArgumentHelp(
            "Pixels per unit in PNG and GIF output (2 for sharp slides).", valueName: "S"))
    var scale = 1.0

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Output file (.png, .svg, .pdf, .gif); with --all, the folder to fill.",
            valueName: "PATH"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Also write every frame as numbered PNGs into this folder.", valueName: "DIR"))
    var frames: String?

    @Flag(
        help:
            "Write the standard set (the guide's 15 animations plus numerical and pooling examples) as GIF and SVG, with an index.html gallery, into the --output folder."
    )
    var all = false

    func validate() throws {
        guard output != nil || frames != nil else {
            throw ValidationError(
                "give an output: -o FILE (.png, .svg, .pdf or .gif), --frames DIR, or --all -o DIR")
        }
        guard frame >= 1 else { throw ValidationError("--frame counts from 1, got \(frame)") }
        guard (0...65535).contains(delay) else {
            throw ValidationError("--delay must be 0 to 65535, got \(delay)")
        }
        guard scale.isFinite, scale > 0, scale <= 8 else {
            throw ValidationError("--scale must be above 0 and at most 8, got \(scale)")
        }
        if all {
            guard output != nil, frames == nil else {
                throw ValidationError("--all writes into the folder given with -o DIR")
            }
        }
    }

    func run() throws {
        let style = DiagramStyle(theme: theme, flat: flat)
        if all, let folder = output {
            try makeFolder(folder)
            let files = try Gallery.write(to: folder, style: style, delay: delay, scale: scale)
            print(
                "\(folder.hasSuffix("/") ? folder : folder + "/")index.html: \(StandardSet.diagrams.count) diagrams, \(files.count) files"
            )
            return
        }
        let parameters = DiagramParameters(
            input: input.pair, kernel: kernel.pair, stride: stride.pair, dilation: dilation.pair,
            padding: padding.resolved(kernel: kernel.pair, dilation: dilation.pair),
            transposed: transposed,
            outputPadding: outputPadding.pair, pooling: pool, showValues: values)
        let figure = try DiagramFigure(parameters: parameters, style: style)
        guard frame <= figure.frameCount else {
            throw DiagramError.noSuchFrame(frame: frame, count: figure.frameCount)
        }
        if let path = output {
            try figure.write(to: path, frame: frame - 1, delay: delay, scale: scale)
        }
        if let folder = frames {
            try makeFolder(folder)
            try figure.writeFrames(toDirectory: folder, scale: scale)
        }
        let geometry = figure.geometry
        print(
            "input \(parameters.input.rows)x\(parameters.input.columns) -> output \(geometry.output.rows)x\(geometry.output.columns), \(figure.frameCount) frames"
        )
    }

    private func makeFolder(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw CLIError("\(path): is a file, not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CLIError("\(path): cannot create the folder: \(error.localizedDescription)")
        }
    }
}
