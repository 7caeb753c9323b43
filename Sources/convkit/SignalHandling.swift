// SignalHandling: Ctrl-C and SIGTERM end convkit without leaving a half-written file behind.

import Foundation
import ImageIO
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The signal handler only writes the signal's number into a pipe; a thread reads it and acts.
/// Acting outside the handler lets the exit path take the lock that atomic writes hold while
/// they create a temporary file, so no thread can start a new one between the clean-up and
/// the exit, whichever thread the signal interrupted.
enum SignalHandling {
    nonisolated(unsafe) private static var pipeWriteEnd: Int32 = -1
    private static let stopAfterBatch = Atomic<Bool>(false)
    private static let interrupted = Atomic<Bool>(false)

    /// Installs the handlers. SIGINT and SIGTERM remove the temporary files of writes in progress
    /// and exit with 128 + the signal number, as a shell expects; they are unblocked, since a
    /// blocked mask inherited from the parent would otherwise hold them back for good. SIGXFSZ
    /// is ignored so that exceeding a file size limit fails the write with an error (leaving the
    /// old file) instead of killing us; SIGPIPE likewise.
    static func install() {
        signal(SIGXFSZ, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        pipeWriteEnd = ends[1]
        let readEnd = ends[0]
        Thread.detachNewThread { respondToSignals(readEnd: readEnd) }
        var handled = sigset_t()
        sigemptyset(&handled)
        for number in [SIGINT, SIGTERM] {
            sigaddset(&handled, number)
            signal(number) { received in
                let savedErrno = errno
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(SignalHandling.pipeWriteEnd, &byte, 1)
                errno = savedErrno
            }
        }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }

    /// From now on the first SIGINT only sets ``interruptRequested`` (training stops after the
    /// current batch and saves); a second one exits at once.
    static func stopAfterBatchOnInterrupt() {
        stopAfterBatch.store(true, ordering: .sequentiallyConsistent)
    }

    /// Whether SIGINT arrived since ``stopAfterBatchOnInterrupt()``.
    static var interruptRequested: Bool {
        interrupted.load(ordering: .sequentiallyConsistent)
    }

    private static func respondToSignals(readEnd: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(readEnd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return }
            let number = Int32(byte)
            if number == SIGINT, stopAfterBatch.load(ordering: .sequentiallyConsistent),
                !interrupted.exchange(true, ordering: .sequentiallyConsistent)
            {
                printError(
                    "convkit: stopping after the current batch (Ctrl-C again to quit at once)")
                continue
            }
            FileAccess.removeTemporaryFilesAndExit(status: 128 + number)
        }
    }
}
