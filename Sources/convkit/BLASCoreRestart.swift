// BLASCoreRestart: starts convkit again with OPENBLAS_CORETYPE set when a subcommand that runs a
// model finds OpenBLAS chose kernels older than the processor.

import Foundation
import LearnedFilters

enum BLASCoreRestart {
    /// The subcommands that run a model through OpenBLAS.
    static let modelSubcommands: Set = ["train", "evaluate", "predict", "report", "visualize"]

    /// When `arguments` (without the program name) start with a model subcommand, replaces this
    /// process by the same command with `OPENBLAS_CORETYPE` set to ``BLASCore/better`` when
    /// OpenBLAS chose older kernels; otherwise, or if that fails, returns.
    static func restartIfSlowerKernels(arguments: [String]) {
        guard let first = arguments.first, modelSubcommands.contains(first) else { return }
        guard let core = BLASCore.better else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // The exec failed: carry on with the kernels OpenBLAS chose.
        unsetenv("OPENBLAS_CORETYPE")
    }
}
