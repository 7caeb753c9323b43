// NormalizeNote: the note `filter` prints when `--range normalize` meets a result of one value.

import Convolution
import ImageIO

extension FilterRun {
    /// The note for a result that is one value everywhere: it has no span to stretch, so
    /// `--range normalize` writes every colour sample as 0, as `cv2.normalize` (NORM_MINMAX)
    /// does; without the note the black picture would look like a failure.
    static func constantNote(_ job: FilterJobs.Item) -> String {
        "convkit: note: \(job.input): the result is one value everywhere, so --range normalize wrote all zeros (as cv2.normalize does); --range clamp writes the value itself"
    }

    /// Prints the constant note when `output`, written with `range`, is all zeros in its
    /// colour channels: normalize maps a result's minimum to 0 and its maximum to the top
    /// sample, so only a result of one value gives no sample above 0. The scan stops at the
    /// first sample above 0, which for any other result comes early.
    static func noteIfConstant(_ output: Image, range: OutputRange, _ job: FilterJobs.Item) {
        guard range == .normalize else { return }
        let channels = output.channels
        let colour = output.hasAlpha ? channels - 1 : channels
        let zero: Bool =
            switch output.samples {
            case .uint8(let v): v.indices.allSatisfy { $0 % channels >= colour || v[$0] == 0 }
            case .uint16(let v): v.indices.allSatisfy { $0 % channels >= colour || v[$0] == 0 }
            }
        if zero { printError(constantNote(job)) }
    }
}
