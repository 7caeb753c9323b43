// ChildProcess: runs a program as a child that a test can signal, then reports how it ended
// and what it printed.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended.
struct ChildExit {
    /// The exit status, or nil if a signal ended the process.
    let status: Int32?
    /// The signal that ended the process, or nil if it exited.
    let signal: Int32?
    let stdout: String
    let stderr: String

    var description: String {
        (status.map { "exit status \($0)" } ?? "signal \(signal ?? 0)") + "; stderr: \(stderr)"
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let description: String
}

/// A running child whose standard output and error go to files, so a test can read them while
/// it runs and signal it at any moment. Started with `posix_spawn` and reaped with `waitpid`.
/// Its `ru_maxrss` would not be its own: glibc's posix_spawn shares this process's memory until
/// the exec, and Linux keeps that peak across it (BatchLoadTests measures through GNU time).
final class ChildProcess {
    let pid: pid_t
    private let stdoutPath: String
    private let stderrPath: String

    /// Starts `program` with `arguments`; standard input is /dev/null, output goes to files in
    /// `scratch` (a folder the caller removes).
    init(_ program: String, _ arguments: [String], scratch: String) throws {
        let tag = UUID().uuidString.prefix(8)
        stdoutPath = scratch + "/stdout-\(tag)"
        stderrPath = scratch + "/stderr-\(tag)"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(
            &actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Other tests run in this process at the same time: their pipes must not leak into the child.
        for descriptor in Self.openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        // The child starts as from a shell: no blocked signals (test threads may block some, and a
        // mask is inherited) and default actions for the ones a test sends.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        for number in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&signals, number) }
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw SpawnError(
                description: "cannot start \(program): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// Sends `number` to the child.
    func send(_ number: Int32) {
        kill(pid, number)
    }

    /// Waits until standard output contains `text`, or `timeout` seconds pass, or the child ends.
    @discardableResult
    func waitForOutput(containing text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: stdoutPath),
                String(decoding: data, as: UTF8.self).contains(text)
            {
                return true
            }
            if hasEnded { return false }
            usleep(20_000)
        }
        return false
    }

    /// Whether the child has ended (and waits to be reaped): its state in /proc is Z.
    private var hasEnded: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.range(of: ") ", options: .backwards)
        else { return true }
        return stat[close.upperBound...].hasPrefix("Z")
    }

    /// Waits for the child to end and collects what it printed.
    func wait() -> ChildExit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signalled = status & 0x7F
        let out = FileManager.default.contents(atPath: stdoutPath) ?? Data()
        let err = FileManager.default.contents(atPath: stderrPath) ?? Data()
        return ChildExit(
            status: signalled == 0 ? (status >> 8) & 0xFF : nil,
            signal: signalled == 0 ? nil : signalled,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs `program` to the end.
    static func run(_ program: String, _ arguments: [String], scratch: String) throws -> ChildExit {
        try ChildProcess(program, arguments, scratch: scratch).wait()
    }

    /// Runs `program` to the end, killing it (SIGKILL, seen in `signal`) if it has not ended
    /// after `timeout` seconds: a run that hangs fails a test instead of blocking the suite.
    static func run(
        _ program: String, _ arguments: [String], scratch: String, killAfter timeout: Double
    ) throws -> ChildExit {
        let child = try ChildProcess(program, arguments, scratch: scratch)
        let deadline = Date().addingTimeInterval(timeout)
        while !child.hasEnded && Date() < deadline { usleep(20_000) }
        child.send(SIGKILL)
        return child.wait()
    }

    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap {
            Int32($0)
        }
    }
}

/// The names in `folder` (empty if it does not exist), sorted.
func folderNames(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

/// Whether `name` is one of convkit's temporary files (`.NAME.convkit-XXXXXX`).
func isTemporaryFileName(_ name: String) -> Bool {
    name.hasPrefix(".")
        && name.range(of: #"\.convkit-[A-Za-z0-9]{6}$"#, options: .regularExpression) != nil
}
