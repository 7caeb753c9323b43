// BatchProgress: a one-line progress bar on standard error, shown only when it is a terminal.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Counts finished files (or other units) and redraws `[#####.....] 5/10 files` in place;
/// silent when standard error is not a terminal (logs and pipes get no control characters).
final class BatchProgress: Sendable {
    private let total: Int
    private let visible: Bool
    private let unit: String
    private let done = Mutex(0)

    init(total: Int, unit: String = "files") {
        self.total = total
        self.unit = unit
        visible = isatty(2) == 1 && total > 1
        draw(0)
    }

    /// Marks one more file as finished.
    func advance() {
        let count = done.withLock { value in
            value += 1
            return value
        }
        draw(count)
    }

    /// Prints an error line above the bar.
    func report(_ line: String) {
        if visible { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        printError(line)
        draw(done.withLock { $0 })
    }

    /// Clears the bar so later messages start on a clean line.
    func finish() {
        if visible { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func draw(_ count: Int) {
        guard visible else { return }
        let width = 30
        let filled = total > 0 ? count * width / total : width
        let bar =
            String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(count)/\(total) \(unit)".utf8))
    }
}
