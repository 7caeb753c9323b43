// Ticks: "nice" axis tick positions (steps of 1, 2 or 5 times a power of ten) and their labels.

import Foundation

/// Tick marks for one axis.
package struct Ticks: Sendable, Equatable {
    /// Tick positions, ascending, all inside the range they were made for.
    package var values: [Double]
    /// The distance between neighbouring ticks.
    package var step: Double

    /// About `target` ticks covering `lower...upper` at a step of 1, 2 or 5 times a power of 10;
    /// with `wholeNumbers` (counts such as epochs) the step is at least 1, so every tick is a
    /// whole number. A degenerate or non-finite range gets the single tick `lower` (or 0).
    package init(lower: Double, upper: Double, target: Int = 5, wholeNumbers: Bool = false) {
        guard lower.isFinite, upper.isFinite, upper > lower, target >= 1 else {
            values = [lower.isFinite ? lower : 0]
            step = 1
            return
        }
        let rough = (upper - lower) / Double(target)
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let nice = [1.0, 2, 5, 10].first { $0 * magnitude >= rough * 0.999 } ?? 10
        let step = wholeNumbers ? max(1, nice * magnitude) : nice * magnitude
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        self.step = step
        values = stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// Every how many places a label of up to `widest` units is written so that labels centred
    /// on places `slot` units apart keep a gap of at least 3 units: 1 when they all fit. Crowded
    /// category and index labels are thinned this way, as plotting libraries thin tick labels.
    package static func labelStep(widest: Double, slot: Double) -> Int {
        guard slot > 0, widest + 3 > slot else { return 1 }
        return Int(((widest + 3) / slot).rounded(.up))
    }

    /// `value` written with as many decimals as the step needs ("0.25", "10", "1e+06").
    package func label(_ value: Double) -> String {
        Ticks.format(value, step: step)
    }

    /// `value` written with as many decimals as `step` needs.
    package static func format(_ value: Double, step: Double) -> String {
        let value = value == 0 ? 0 : value  // no "-0"
        let magnitude = max(abs(value), step)
        if magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-4) {
            return String(format: "%.2g", value)
        }
        let decimals = step > 0 ? max(0, Int((-log10(step)).rounded(.up) + 0.001)) : 0
        let text = String(format: "%.\(min(decimals, 6))f", value)
        return text.allSatisfy({ "-0.".contains($0) }) ? String(text.drop { $0 == "-" }) : text
    }

    /// A value range widened to whole steps, so an axis starts and ends on a tick.
    package static func niceRange(
        lower: Double, upper: Double, target: Int = 5, wholeNumbers: Bool = false
    ) -> ClosedRange<Double> {
        let ticks = Ticks(lower: lower, upper: upper, target: target, wholeNumbers: wholeNumbers)
        guard upper > lower else { return (lower - 1)...(lower + 1) }
        let low = (lower / ticks.step).rounded(.down) * ticks.step
        let high = (upper / ticks.step).rounded(.up) * ticks.step
        return low...high
    }
}
