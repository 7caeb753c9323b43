// TrainingLog: reads the per-epoch CSV that training writes beside the model.

import Foundation
import ImageIO
import LearnedFilters

/// The per-epoch records of a training run.
package enum TrainingLog {
    /// Reads `path`: the header ``EpochRecord/csvHeader`` then one ``EpochRecord`` per line.
    /// - Throws: ``VisualizationError/badLog(path:line:detail:)`` naming the first bad line;
    ///   ImageIO's read error when the file cannot be read.
    package static func read(path: String) throws -> [EpochRecord] {
        let text = String(decoding: try FileAccess.readAll(path), as: UTF8.self)
        let lines = TextLines.of(text).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard lines.first == EpochRecord.csvHeader else {
            throw VisualizationError.badLog(
                path: path, line: 1, detail: "expected the header '\(EpochRecord.csvHeader)'")
        }
        var records = [EpochRecord]()
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let record = EpochRecord(csvLine: line) else {
                throw VisualizationError.badLog(
                    path: path, line: offset + 1,
                    detail: "expected 6 numbers, got '\(line.prefix(60))'")
            }
            records.append(record)
        }
        return records
    }
}
