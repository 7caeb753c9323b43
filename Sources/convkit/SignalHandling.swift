// SignalHandling: makes an interrupted convkit leave no half-written file behind.

import ImageIO
#if canImport(Glibc)
import Glibc
#endif

enum SignalHandling {
    /// On SIGINT or SIGTERM, removes the temporary files of writes in progress and exits with
    /// 128 + the signal number, as a shell expects. SIGXFSZ is ignored so that exceeding a file
    /// size limit fails the write with an error (leaving the old file) instead of killing us.
    static func install() {
        signal(SIGXFSZ, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGINT, SIGTERM] {
            signal(number) { received in
                TemporaryFiles.removeAllNow()
                _exit(128 + received)
            }
        }
    }
}
