// MemorySize: `--memory`'s sizes, read from text and shown in messages.

import Foundation

/// A size in bytes as `--memory` spells it: a whole number of bytes, or a number with K, M, G or
/// T (powers of 1024), either with an optional B, such as `4096`, `512M`, `2G` or `1.5G`.
enum MemorySize {
    /// What `--memory` accepts, for its message.
    static let expected =
        "a whole number of bytes or a size such as 512M, 2G or 2.5G (K, M, G, T: powers of 1024)"

    /// The bytes `text` stands for, or nil when it is not a size: a fractional number of bytes
    /// (`2.5`) is refused, as no budget is a part of a byte; a fraction of a unit (`2.5M`) is
    /// rounded to the nearest byte.
    static func parse(_ text: String) -> Int? {
        var digits = text.uppercased()
        if digits.hasSuffix("B") { digits.removeLast() }
        var scale: Double?
        if let unit = digits.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][unit] {
            scale = pow(1024, Double(power))
            digits.removeLast()
        }
        let allowed: Set<Character> = scale == nil ? Set("0123456789") : Set("0123456789.")
        guard !digits.isEmpty, digits.allSatisfy(allowed.contains),
            let number = Double(digits), number > 0
        else { return nil }
        let bytes = (number * (scale ?? 1)).rounded()
        guard bytes >= 1, bytes < 0x1p62 else { return nil }
        return Int(bytes)
    }

    /// The default budget: a quarter of the machine's memory.
    static var defaultBudget: Int { Int(ProcessInfo.processInfo.physicalMemory / 4) }

    /// `512 MB`, `2.0 GB`: a size for messages.
    static func describe(_ bytes: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
