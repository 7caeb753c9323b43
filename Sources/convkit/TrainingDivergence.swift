// TrainingDivergence: a training run whose loss or outputs became inf or NaN, told as what it
// is, a diverged run, with its usual cause (a learning rate too large) and what was kept.

import LearnedFilters

/// Runs `body`, a part of training `trainer` (an epoch, or the evaluation after one), turning a
/// loss or output that became inf or NaN into a message that says the run diverged, suggests a
/// smaller `--learning-rate`, and says what is on disk: `saved` is the checkpoint this run
/// wrote or resumed from, with its epoch, if any.
func explainingDivergence<T>(
    of trainer: Trainer, saved: (path: String, epoch: Int)?, _ body: () throws -> T
) throws -> T {
    do {
        return try body()
    } catch let error as LearnedFiltersError {
        let what: String
        switch error {
        case .lossNotFinite(let epoch, let step):
            what = "the loss diverged (inf or NaN) at epoch \(epoch), step \(step)"
        case .outputNotFinite:
            what =
                "training diverged: the model's outputs on the test images are inf or NaN after epoch \(trainer.completedEpochs)"
        default: throw error
        }
        let rate = "\(trainer.configuration.adam.learningRate)"
        let kept =
            saved.map { "\($0.path) keeps epoch \($0.epoch)" }
            ?? "no model or checkpoint was written"
        throw CLIError(
            "\(what), most likely because the learning rate \(rate) is too large: try a smaller --learning-rate; \(kept)"
        )
    }
}
