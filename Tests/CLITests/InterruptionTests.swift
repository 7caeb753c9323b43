// InterruptionTests: `convkit filter` and `convkit train` stopped by SIGINT or SIGKILL at random
// moments never lose or corrupt a file, leave no temporary file after SIGINT, and a resumed
// training ends exactly where an uninterrupted one does.
//
// The schedule is drawn from a seed printed with every failure (CONVKIT_INTERRUPT_SEED replays
// it); CONVKIT_INTERRUPT_RUNS and CONVKIT_INTERRUPT_TRAIN_RUNS raise the number of interrupted
// runs, as scripts/interrupt-stress.sh does.

import ConvkitSupport
import Foundation
import ImageIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct InterruptionTests {
    static let environment = ProcessInfo.processInfo.environment
    static let filterRuns = Int(environment["CONVKIT_INTERRUPT_RUNS"] ?? "") ?? 6
    static let trainRuns = Int(environment["CONVKIT_INTERRUPT_TRAIN_RUNS"] ?? "") ?? 2
    static let seed =
        UInt64(environment["CONVKIT_INTERRUPT_SEED"] ?? "")
        ?? UInt64.random(in: 1...UInt64(UInt32.max))
    static let mnist = CLI.packageRoot + "/data/mnist"
    /// A quick run of a small network that still has dropout (whose masks must match on resume).
    static let training = [
        "--train-limit", "2000", "--test-limit", "500", "--batch-size", "64", "--epochs", "3",
        "--threads", "2",
        "--seed", "7", "--arch", "conv2d:8:3x3:same:relu,maxpool:2,flatten,dropout:0.5,dense:10",
        "--data", mnist,
    ]

    // MARK: filter

    @Test func filterBatchLeavesEveryOutputWholeOrAbsent() throws {
        var random = SeededGenerator(seed: Self.seed)
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases = try IntegerFilterCase.generate(count: 60, seed: Self.seed)
        let inputs = folder + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        try IntegerFilterCase.writeInputs(cases, to: inputs)
        let arguments = { (output: String) in
            ["filter", inputs, "-o", output] + IntegerFilterCase.filterArguments
        }
        let start = Date()
        let reference = try ChildProcess.run(
            CLI.executable, arguments(folder + "/reference/"), scratch: folder)
        let duration = Date().timeIntervalSince(start)
        try #require(reference.status == 0, "\(reference.description)")
        try #require(
            cases.allSatisfy { $0.matches(fileAt: folder + "/reference/\($0.name).png") },
            "an uninterrupted batch is wrong")

        let oldBytes = try IntegerFilterCase.previousOutput()
        let expectedNames = cases.map { $0.name + ".png" }.sorted()
        var damaged = 0
        var leftovers = 0
        var removed = 0
        var stops = StopTally()
        for run in 1...Self.filterRuns {
            let signal = Bool.random(using: &random) ? SIGINT : SIGKILL
            let delay = Double.random(in: 0...(duration * 0.75), using: &random)
            let context =
                "seed \(Self.seed), filter run \(run): \(signal == SIGINT ? "SIGINT" : "SIGKILL") after \(String(format: "%.3f", delay)) s"
            let output = folder + "/run\(run)"
            try FileManager.default.createDirectory(
                atPath: output, withIntermediateDirectories: true)
            let existing = Set(
                cases.enumerated().filter { $0.offset % 4 == 0 }.map { $0.element.name + ".png" })
            for name in existing {
                try oldBytes.write(to: URL(fileURLWithPath: output + "/" + name))
            }

            let child = try ChildProcess(CLI.executable, arguments(output), scratch: folder)
            usleep(UInt32(delay * 1_000_000))
            child.send(signal)
            let exit = child.wait()
            stops.record(exit, after: signal, context: context)
            let problems = Self.damagedOutputs(
                in: output, cases: cases, existing: existing, oldBytes: oldBytes)
            damaged += problems.count
            #expect(problems.isEmpty, "\(context): \(problems)")
            let extras = folderNames(output).filter { !expectedNames.contains($0) }
            let temporary = extras.filter(isTemporaryFileName)
            #expect(extras == temporary, "\(context): unexpected files \(extras)")
            if signal == SIGINT {
                #expect(
                    temporary.isEmpty, "\(context): temporary files left after SIGINT: \(temporary)"
                )
            } else {
                // SIGKILL leaves the files being written; the next run into the folder removes them.
                leftovers += temporary.count
                let again = try ChildProcess.run(CLI.executable, arguments(output), scratch: folder)
                removed += temporary.filter { !folderNames(output).contains($0) }.count
                #expect(again.status == 0, "\(context): the run after it: \(again.description)")
                #expect(
                    folderNames(output) == expectedNames,
                    "\(context): after the next run: \(folderNames(output))")
                #expect(
                    cases.allSatisfy { $0.matches(fileAt: output + "/\($0.name).png") },
                    "\(context): the next run's outputs are wrong")
            }
            try? FileManager.default.removeItem(atPath: output)
        }
        #expect(stops.stopped > 0, "seed \(Self.seed): no run was stopped before it finished")
        print(
            "filter interruption runs tried: \(Self.filterRuns) (\(stops)) of 60 files each; "
                + "files lost or corrupted: \(damaged); temporary files left by SIGKILL: \(leftovers), removed by the next run: \(removed); seed \(Self.seed)"
        )
    }

    /// The outputs that are neither absent (if they did not exist before), nor the old bytes,
    /// nor exactly the expected image.
    static func damagedOutputs(
        in folder: String, cases: [IntegerFilterCase], existing: Set<String>, oldBytes: Data
    ) -> [String] {
        cases.compactMap { item in
            let name = item.name + ".png"
            guard let bytes = FileManager.default.contents(atPath: folder + "/" + name) else {
                return existing.contains(name) ? "\(name) was lost" : nil
            }
            if existing.contains(name) && bytes == oldBytes { return nil }
            return item.matches(fileAt: folder + "/" + name)
                ? nil : "\(name) is corrupt (\(bytes.count) bytes)"
        }
    }

    // MARK: train

    /// The uninterrupted run that every resumed one must reproduce, and how long it took;
    /// trained once per test process.
    static let reference = Result<(outcome: TrainingOutcome, seconds: Double), any Error> {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let start = Date()
        let run = try ChildProcess.run(
            CLI.executable, ["train", "-o", folder + "/m.safetensors"] + training, scratch: folder)
        let seconds = Date().timeIntervalSince(start)
        guard run.status == 0 else {
            throw Problem("the uninterrupted training failed: \(run.description)")
        }
        return (try TrainingOutcome(model: folder + "/m.safetensors"), seconds)
    }

    @Test func trainLeavesValidFilesAndResumesExactly() throws {
        guard requireMNIST() else { return }
        var random = SeededGenerator(seed: Self.seed ^ 0x7EA1)
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (expected, duration) = try Self.reference.get()

        var damaged = 0
        var stops = StopTally()
        var exact = 0
        var resumed = 0
        for run in 1...Self.trainRuns {
            let model = folder + "/run\(run)/m.safetensors"
            try FileManager.default.createDirectory(
                atPath: folder + "/run\(run)", withIntermediateDirectories: true)
            for stage in 1...2 {
                let signal = Bool.random(using: &random) ? SIGINT : SIGKILL
                // The first stop comes early, so at least one run is stopped even when the
                // reference run was slowed by tests running beside it.
                let latest = duration * (run == 1 && stage == 1 ? 0.2 : 0.75)
                let delay = Double.random(in: 0...latest, using: &random)
                let twice = signal == SIGINT && Bool.random(using: &random)
                let context =
                    "seed \(Self.seed), train run \(run) stage \(stage): \(signal == SIGINT ? (twice ? "SIGINT twice" : "SIGINT") : "SIGKILL") after \(String(format: "%.3f", delay)) s"
                let before = Self.snapshot(model)
                let child = try ChildProcess(
                    CLI.executable, Self.trainArguments(model), scratch: folder)
                usleep(UInt32(delay * 1_000_000))
                child.send(signal)
                if twice {
                    usleep(UInt32.random(in: 0...300_000, using: &random))
                    child.send(SIGINT)
                }
                let exit = child.wait()
                stops.record(exit, after: signal, context: context)
                if signal == SIGINT, exit.stderr.contains("saved the current weights") {
                    #expect(
                        FileManager.default.fileExists(atPath: model),
                        "\(context): says it saved \(model), which is missing")
                }
                let problems = Self.trainingFileProblems(
                    model: model, before: before, allowTemporary: signal == SIGKILL)
                damaged += problems.count
                #expect(problems.isEmpty, "\(context): \(problems)")
            }
            let context = "seed \(Self.seed), train run \(run), final resume"
            if Self.trainArguments(model).contains("--resume") { resumed += 1 }
            let final = try ChildProcess.run(
                CLI.executable, Self.trainArguments(model), scratch: folder)
            try #require(final.status == 0, "\(context): \(final.description)")
            let outcome = try TrainingOutcome(model: model)
            Self.expect(outcome, matches: expected, context: context, run: "final")
            #expect(
                folderNames(folder + "/run\(run)").filter(isTemporaryFileName).isEmpty,
                "\(context): temporary files remain")
            if outcome == expected { exact += 1 }
        }
        #expect(stops.stopped > 0, "seed \(Self.seed): no run was stopped before it finished")
        print(
            "train interruption runs tried: \(Self.trainRuns * 2) (\(stops)); files lost or corrupted: \(damaged); "
                + "final runs identical to the uninterrupted one: \(exact) of \(Self.trainRuns) (\(resumed) resumed from a checkpoint); seed \(Self.seed)"
        )
    }

    /// `train` for `model`, resuming when a checkpoint exists (a run stopped before its first
    /// epoch ended has none, and starts again).
    static func trainArguments(_ model: String) -> [String] {
        let resume = FileManager.default.fileExists(
            atPath: model.replacingOccurrences(of: ".safetensors", with: ".checkpoint.safetensors"))
        return ["train", "-o", model] + training + (resume ? ["--resume"] : [])
    }

    /// The bytes of every file in `model`'s folder.
    static func snapshot(_ model: String) -> [String: Data] {
        let folder = (model as NSString).deletingLastPathComponent
        var files = [String: Data]()
        for name in folderNames(folder) {
            files[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return files
    }

    /// What is wrong in `model`'s folder after an interrupted run: files that existed before
    /// must still be there, unchanged or replaced by a valid file; model, checkpoint and log must
    /// be valid if present; temporary files are allowed only after SIGKILL.
    static func trainingFileProblems(model: String, before: [String: Data], allowTemporary: Bool)
        -> [String]
    {
        let folder = (model as NSString).deletingLastPathComponent
        var problems = [String]()
        let names = folderNames(folder)
        for name in before.keys where !isTemporaryFileName(name) && !names.contains(name) {
            problems.append("\(name) was lost")
        }
        for name in names {
            let path = folder + "/" + name
            if isTemporaryFileName(name) {
                if !allowTemporary { problems.append("temporary file \(name) left behind") }
                continue
            }
            do {
                switch name {
                case "m.safetensors": _ = try CheckedSafeTensors(path: path)
                case "m.checkpoint.safetensors":
                    let checkpoint = try CheckedSafeTensors(path: path)
                    if checkpoint.metadata["epoch"].flatMap(Int.init) == nil {
                        problems.append("\(name) has no epoch")
                    }
                case "m.log.csv": _ = try checkedLogLines(path: path)
                default: problems.append("unexpected file \(name)")
                }
            } catch {
                problems.append("\(error)")
            }
        }
        return problems
    }

    // MARK: Ctrl-C and progress display

    // Opens like TrainCommandTests on purpose: MNIST required, a scratch folder, a model path.
    @Test func ctrlCInTrainingSavesTheWeightsAndExits130ThenResumesExactly() throws {
        guard requireMNIST() else { return }
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/m.safetensors"
        let exit = try Self.train(model, scratch: folder, stoppedBy: SIGINT, inEpoch: 2)
        #expect(exit.status == 130, "\(exit.description)")
        let checkpoint = folder + "/m.checkpoint.safetensors"
        #expect(exit.stderr.contains("convkit: stopping after the current batch"))
        #expect(
            exit.stderr.contains(
                "convkit: interrupted in epoch 2; saved the current weights to \(model); --resume continues from \(checkpoint) (epoch 1)"
            )
                || exit.stderr.contains(
                    "convkit: interrupted after epoch 2; saved the current weights to \(model); --resume continues from \(checkpoint) (epoch 2)"
                ),
            "\(exit.stderr)")
        #expect(!exit.stdout.contains("Epoch 3/3"))
        #expect(folderNames(folder).filter { $0.hasPrefix(".") }.isEmpty, "\(folderNames(folder))")
        #expect(throws: Never.self) { try CheckedSafeTensors(path: model) }
        let evaluation = try ChildProcess.run(
            CLI.executable, ["evaluate", model, "--test-limit", "50", "--data", Self.mnist],
            scratch: folder)
        #expect(evaluation.status == 0, "the saved model does not load: \(evaluation.description)")
        let lines = try checkedLogLines(path: folder + "/m.log.csv")
        #expect(lines.count == 2 || lines.count == 3, "\(lines)")
        try expectResumeReproducesTheReference(
            model: model, scratch: folder, context: "after Ctrl-C in epoch 2")
    }

    @Test func trainKilledAfterACheckpointResumesExactly() throws {
        guard requireMNIST() else { return }
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The model in a folder of its own: the child's output files stay out of it.
        try FileManager.default.createDirectory(
            atPath: folder + "/run", withIntermediateDirectories: true)
        let model = folder + "/run/m.safetensors"
        let exit = try Self.train(model, scratch: folder, stoppedBy: SIGKILL, inEpoch: 3)
        #expect(exit.signal == SIGKILL, "\(exit.description)")
        let problems = Self.trainingFileProblems(model: model, before: [:], allowTemporary: true)
        #expect(problems.isEmpty, "\(problems)")
        try expectResumeReproducesTheReference(
            model: model, scratch: folder, context: "after SIGKILL in epoch 3")
    }

    /// Trains `model` with the test's settings, sends `signal` once epoch `epoch` has started,
    /// and returns how the run ended.
    private static func train(
        _ model: String, scratch folder: String, stoppedBy signal: Int32, inEpoch epoch: Int
    ) throws -> ChildExit {
        let child = try ChildProcess(
            CLI.executable, ["train", "-o", model] + training, scratch: folder)
        let reached = child.waitForOutput(containing: "Epoch \(epoch)/3", timeout: 120)
        child.send(signal)
        let exit = child.wait()
        try #require(reached, "training never reached epoch \(epoch): \(exit.description)")
        return exit
    }

    /// Resumes the training of `model` to the end and compares it with the uninterrupted run.
    private func expectResumeReproducesTheReference(
        model: String, scratch folder: String, context: String
    ) throws {
        let expected = try Self.reference.get().outcome
        let resumed = try ChildProcess.run(
            CLI.executable, ["train", "-o", model, "--resume"] + Self.training, scratch: folder)
        try #require(resumed.status == 0, "\(context): --resume: \(resumed.description)")
        #expect(!resumed.stdout.contains("Epoch 1/3"), "\(context): --resume started over")
        Self.expect(
            try TrainingOutcome(model: model), matches: expected, context: context, run: "resumed")
    }

    /// Expects the weights, optimizer state, checkpoint metadata and log of a `run` ("final",
    /// "resumed") to be those of the uninterrupted reference run.
    private static func expect(
        _ outcome: TrainingOutcome, matches expected: TrainingOutcome, context: String,
        run: String
    ) {
        let differences = [
            (outcome.modelTensors != expected.modelTensors, "\(run) weights"),
            (outcome.checkpointTensors != expected.checkpointTensors, "\(run) optimizer state"),
            (outcome.checkpointMetadata != expected.checkpointMetadata, "checkpoint metadata"),
            (outcome.log != expected.log, "log \(outcome.log)"),
        ].filter(\.0).map(\.1)
        #expect(
            differences.isEmpty,
            "\(context): \(differences.joined(separator: ", ")) differ from the uninterrupted run")
    }

    @Test func trainShowsAKerasProgressBarOnATerminalAndOneLinePerEpochOtherwise() throws {
        guard requireMNIST() else { return }
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let arguments =
            [CLI.executable, "train", "-o", folder + "/m.safetensors"] + Self.training + [
                "--epochs", "2",
            ]
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            .joined(separator: " ")
        // script(1) runs the command on a pseudo-terminal and copies what it shows.
        let terminal = try ChildProcess.run(
            "/usr/bin/script", ["-qec", quoted, "/dev/null"], scratch: folder)
        #expect(terminal.status == 0, "\(terminal.description)")
        let shown = terminal.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(
            shown.range(
                of: #"\r32/32 \[={30}\] - \d+s \d+ms/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}"#,
                options: .regularExpression) != nil,
            "no finished Keras-style bar in \(shown.debugDescription)")
        #expect(
            shown.range(of: #"\r\d{1,2}/32 \[=*>\.+\] - "#, options: .regularExpression) != nil,
            "no bar in progress in \(shown.debugDescription)")

        let plain = try ChildProcess.run(
            CLI.executable, Array(arguments.dropFirst()), scratch: folder)
        #expect(plain.status == 0, "\(plain.description)")
        #expect(
            !plain.stdout.contains("\r") && !plain.stdout.contains("["),
            "control characters or a bar without a terminal")
        let epochLines = plain.stdout.split(separator: "\n").filter {
            $0.range(
                of:
                    #"^32/32 - \d+\.\ds \d+ms/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - test_loss: \d\.\d{4} - test_accuracy: \d\.\d{4}$"#,
                options: .regularExpression) != nil
        }
        #expect(epochLines.count == 2, "\(plain.stdout)")
    }

    // MARK: abandoned temporary files

    @Test func abandonedTemporaryFilesAreRemovedAndLiveOnesKept() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases = try IntegerFilterCase.generate(count: 2, seed: 3)
        try FileManager.default.createDirectory(
            atPath: folder + "/in", withIntermediateDirectories: true)
        try IntegerFilterCase.writeInputs(cases, to: folder + "/in")
        let output = folder + "/out"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let abandoned = ".image0000.png.convkit-AbC123"
        let live = ".image0001.png.convkit-XyZ789"
        let lookalikes = [
            ".image0000.png.convkit-tmp", "notes.convkit-AbC123", ".other.convkit-AbC12!",
        ]
        for name in [abandoned, live] + lookalikes {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: output + "/" + name))
        }
        // A file another process is writing right now: convkit holds it locked while it writes.
        let descriptor = open(output + "/" + live, O_RDONLY)
        try #require(descriptor >= 0 && flock(descriptor, LOCK_EX) == 0)

        let result = try ChildProcess.run(
            CLI.executable,
            ["filter", folder + "/in", "-o", output] + IntegerFilterCase.filterArguments,
            scratch: folder)
        #expect(result.status == 0, "\(result.description)")
        #expect(
            folderNames(output)
                == ([live] + lookalikes + ["image0000.png", "image0001.png"]).sorted())
        close(descriptor)
        let converted = try ChildProcess.run(
            CLI.executable, ["convert", folder + "/in/image0000.png", output + "/copy.png"],
            scratch: folder)
        #expect(converted.status == 0, "\(converted.description)")
        #expect(
            !folderNames(output).contains(live),
            "an unlocked temporary file survived a later write into its folder")
    }

}

/// What a finished training run leaves: weights, optimizer state and log (without timings).
/// The runs stopped by a signal: how many by which signal, and how many did stop before the end.
struct StopTally: CustomStringConvertible {
    var interrupts = 0
    var kills = 0
    var stopped = 0

    /// Counts a run stopped by `signal` and expects the ways it may end: status 130 or killed
    /// by the signal after SIGINT, killed after SIGKILL, or finished (status 0) when it ended
    /// first.
    mutating func record(_ exit: ChildExit, after signal: Int32, context: String) {
        if exit.status != 0 { stopped += 1 }
        let expected: Bool
        if signal == SIGINT {
            interrupts += 1
            expected = exit.status == 130 || exit.status == 0 || exit.signal == SIGINT
        } else {
            kills += 1
            expected = exit.signal == SIGKILL || exit.status == 0
        }
        #expect(expected, "\(context): \(exit.description)")
    }

    var description: String {
        "SIGINT \(interrupts), SIGKILL \(kills); \(stopped) stopped before the end"
    }
}

struct TrainingOutcome: Equatable, Sendable {
    let modelTensors: [String: Data]
    let checkpointTensors: [String: Data]
    /// The checkpoint's metadata without the embedded log (which holds timings).
    let checkpointMetadata: [String: String]
    let log: [String]

    init(model: String) throws {
        let file = try CheckedSafeTensors(path: model)
        let checkpoint = try CheckedSafeTensors(
            path: model.replacingOccurrences(of: ".safetensors", with: ".checkpoint.safetensors"))
        modelTensors = file.tensorBytes
        checkpointTensors = checkpoint.tensorBytes
        checkpointMetadata = checkpoint.metadata.filter { $0.key != "training_log" }
        log = try checkedLogLines(
            path: model.replacingOccurrences(of: ".safetensors", with: ".log.csv"))
    }
}
