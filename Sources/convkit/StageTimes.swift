// StageTimes: `filter --verbose`'s per-file timing of read, convolve, range and write.

import Foundation

/// Wall-clock milliseconds of the stages of one file, printed as one line when asked.
struct StageTimes {
    private var stages = [(name: String, milliseconds: Double)]()

    /// Runs `body`, adding its wall-clock time under `name`.
    mutating func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            stages.append(
                (name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6))
        }
        return try body()
    }

    /// `read 3.1 ms, convolve 1.2 ms, range 0.4 ms, write 8.0 ms (total 12.7 ms)`.
    var summary: String {
        let total = stages.reduce(0) { $0 + $1.milliseconds }
        let parts = stages.map { "\($0.name) \(Self.format($0.milliseconds)) ms" }
        return parts.joined(separator: ", ") + " (total \(Self.format(total)) ms)"
    }

    private static func format(_ milliseconds: Double) -> String {
        String(format: "%.1f", milliseconds)
    }
}
