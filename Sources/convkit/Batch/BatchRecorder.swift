// BatchRecorder: runs one input of a batch, timed, and appends its manifest line.

import ArgumentParser
import Foundation

/// What a manifest line says about the run besides the input: kernels, options and shard.
struct BatchRecorder: Sendable {
    let writer: ManifestWriter?
    let kernels: [String]
    let options: [String: String]
    let shard: Shard?
    /// The one-line message a failure is reported with.
    let describe: @Sendable (Error, FilterJobs.Item) -> String

    /// Runs `body` (which returns the input's pixel count) and records the outcome; the error of
    /// a failed input is rethrown after its line is written.
    func run(_ job: FilterJobs.Item, _ body: () throws -> Int) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        var pixels = 0
        var failure: Error?
        do {
            pixels = try body()
        } catch {
            failure = error
        }
        if let writer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            try writer.append(
                ManifestRecord(
                    input: job.input, output: job.output, status: failure == nil ? "ok" : "failed",
                    error: failure.map { describe($0, job) }, kernels: kernels, options: options,
                    pixels: pixels, seconds: (seconds * 1e6).rounded() / 1e6,
                    shard: shard?.description, host: ProcessInfo.processInfo.hostName,
                    finished: ManifestWriter.timestamp()))
        }
        if let failure { throw failure }
    }
}
