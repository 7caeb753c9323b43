// Shard: `--shard K/N` and `--shard auto`: which inputs one of N independent jobs takes, by a
// fixed hash of each input's relative path.

import ArgumentParser

/// Shard `index` of `count`: the inputs whose relative path hashes (FNV-1a 64) to `index`
/// modulo `count`. A file's shard depends on its own path only, so N jobs cover every input
/// exactly once and adding files never moves the others.
struct Shard: Equatable, Sendable, CustomStringConvertible {
    let index: Int
    let count: Int

    var description: String { "\(index)/\(count)" }

    /// Whether the input with relative path `key` belongs to this shard.
    func contains(_ key: String) -> Bool {
        Int(StableHash.fnv1a64(key) % UInt64(count)) == index
    }
}

/// The fixed 64-bit FNV-1a hash of a string's UTF-8 bytes: the same on every machine and run
/// (unlike Swift's `Hasher`, which is seeded per process).
enum StableHash {
    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// `--shard` as written: `K/N`, `auto` (Slurm array jobs) or `auto/N` (Kubernetes Indexed Jobs,
/// which give the index but not the count).
struct ShardArgument: ExpressibleByArgument, Sendable {
    /// `K/N` given outright, or nil for `auto`.
    let fixed: Shard?
    /// `N` of `auto/N`.
    let autoCount: Int?

    init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let count = parts.count == 2 ? Int(parts[1]) : nil
        if parts.count == 2 && count == nil { return nil }
        if parts[0] == "auto" {
            fixed = nil
            autoCount = count
        } else {
            guard let index = Int(parts[0]), let count else { return nil }
            fixed = Shard(index: index, count: count)
            autoCount = nil
        }
    }

    /// The shard this process runs: `K/N`, or for `auto` the Slurm array task
    /// (`SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN` in steps of
    /// `SLURM_ARRAY_TASK_STEP`, of `SLURM_ARRAY_TASK_COUNT`) or the Kubernetes Indexed Job's
    /// `JOB_COMPLETION_INDEX` (of `N` from `auto/N`). Impossible values are command-line
    /// mistakes naming the variable.
    func resolve(environment: [String: String]) throws -> Shard {
        if let fixed { return try checked(fixed, source: "--shard \(fixed)") }
        if let count = autoCount, count < 1 {
            throw ValidationError("--shard auto/N needs N of at least 1, got \(count)")
        }
        if let id = environment["SLURM_ARRAY_TASK_ID"] {
            let task = try number("SLURM_ARRAY_TASK_ID", id)
            let first = try environment["SLURM_ARRAY_TASK_MIN"].map {
                try number("SLURM_ARRAY_TASK_MIN", $0)
            }
            let step = try environment["SLURM_ARRAY_TASK_STEP"].map {
                try number("SLURM_ARRAY_TASK_STEP", $0)
            }
            let slurmCount = try environment["SLURM_ARRAY_TASK_COUNT"].map {
                try number("SLURM_ARRAY_TASK_COUNT", $0)
            }
            guard let count = slurmCount ?? autoCount else {
                throw ValidationError(
                    "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; write --shard auto/N"
                )
            }
            if let autoCount, autoCount != count {
                throw ValidationError(
                    "--shard auto/\(autoCount) contradicts SLURM_ARRAY_TASK_COUNT=\(count)")
            }
            let offset = task - (first ?? 0)
            let stride = max(step ?? 1, 1)
            guard offset % stride == 0 else {
                throw ValidationError(
                    "--shard auto: SLURM_ARRAY_TASK_ID=\(task) is not on the array's steps; submit with --array=0-\(count - 1)"
                )
            }
            return try checked(
                Shard(index: offset / stride, count: count),
                source:
                    "--shard auto (SLURM_ARRAY_TASK_ID=\(task) of SLURM_ARRAY_TASK_COUNT=\(count))"
            )
        }
        if let text = environment["JOB_COMPLETION_INDEX"] {
            let index = try number("JOB_COMPLETION_INDEX", text)
            guard let count = autoCount else {
                throw ValidationError(
                    "--shard auto: Kubernetes sets JOB_COMPLETION_INDEX but not the count; write --shard auto/N with N the Job's completions"
                )
            }
            return try checked(
                Shard(index: index, count: count),
                source: "--shard auto/\(count) (JOB_COMPLETION_INDEX=\(index))")
        }
        throw ValidationError(
            "--shard auto needs SLURM_ARRAY_TASK_ID (a Slurm array job) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); neither is set"
        )
    }

    private func number(_ name: String, _ text: String) throws -> Int {
        guard let value = Int(text) else {
            throw ValidationError("--shard auto: \(name)='\(text)' is not a whole number")
        }
        return value
    }

    private func checked(_ shard: Shard, source: String) throws -> Shard {
        guard shard.count >= 1 else {
            throw ValidationError("\(source): the shard count must be at least 1")
        }
        guard (0..<shard.count).contains(shard.index) else {
            throw ValidationError(
                "\(source): the shard index must be 0 to \(shard.count - 1), got \(shard.index)")
        }
        return shard
    }
}
