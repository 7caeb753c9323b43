// StageTimes: `filter --verbose`'s per-file timing of read, convolve, range and write (in
// bands: read and convolve, with the write beside them).

import Foundation

/// Wall-clock milliseconds of the stages of one file, printed as one line when asked.
struct StageTimes {
    private var stages = [(name: String, milliseconds: Double, beside: Bool)]()

    /// Runs `body`, adding its wall-clock time under `name`.
    mutating func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            stages.append(
                (name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6, false))
        }
        return try body()
    }

    /// Adds a stage that ran beside the timed ones (on another thread): it is printed, but
    /// not added to the total.
    mutating func addBeside(_ name: String, milliseconds: Double) {
        stages.append((name, milliseconds, true))
    }

    /// `read 3.1 ms, convolve 1.2 ms, range 0.4 ms, write 8.0 ms (total 12.7 ms)`; a stage
    /// added with ``addBeside(_:milliseconds:)`` reads `write 8.0 ms beside`.
    var summary: String {
        let total = stages.reduce(0) { $0 + ($1.beside ? 0 : $1.milliseconds) }
        let parts = stages.map {
            "\($0.name) \(Self.format($0.milliseconds)) ms" + ($0.beside ? " beside" : "")
        }
        return parts.joined(separator: ", ") + " (total \(Self.format(total)) ms)"
    }

    private static func format(_ milliseconds: Double) -> String {
        String(format: "%.1f", milliseconds)
    }
}
