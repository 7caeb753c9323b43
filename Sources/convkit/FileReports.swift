// FileReports: the per-file loop of `info` and `predict`: a line or a JSON record per file.

/// A report of each of several files, where a file that fails is reported and the rest still run.
enum FileReports {
    /// Runs `report` on each of `files`: prints its text line, or under `json` one JSON array
    /// of every record at the end. A failure prints `convkit: error: ...` and counts; the exit
    /// status is then 1 (with a count of the failures when there are several files).
    static func run(
        _ files: [String], json: Bool,
        report: (String) throws -> (record: [String: Any], text: String)
    ) throws {
        var records = [[String: Any]]()
        var failed = 0
        for path in files {
            do {
                let (record, text) = try report(path)
                if json { records.append(record) } else { print(text) }
            } catch {
                printError("convkit: error: " + oneLine(message(for: error)))
                failed += 1
            }
        }
        if json {
            try printJSON(records)
        }
        try BatchOutcome.finish(failed: failed, of: files.count, report: files.count > 1)
    }

    /// The one-line text of any error a file can cause.
    static func message(for error: Error) -> String {
        (error as? UserFacingError).map(presented) ?? "\(error)"
    }
}
