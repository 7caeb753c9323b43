// LearnedFiltersError: what can go wrong building, training, saving and loading models.

// An error enum: cases, then a description switch, as every module's error type has.
/// Errors of the learned-filters module; each description is one line naming the file when there is one.
public enum LearnedFiltersError: Error, Equatable, CustomStringConvertible {
    /// The `--arch` text cannot be parsed.
    case badArchitecture(String)
    /// The layers do not fit together (a shape becomes empty, a dense layer needs flat input, ...).
    case badShape(String)
    /// A dataset file is missing; the message names the fetch script.
    case datasetMissing(path: String, dataset: String)
    /// A dataset file is readable but not what a dataset needs.
    case badDataset(path: String, detail: String)
    /// A model or checkpoint file is not a valid convkit safetensors file.
    case badModel(path: String, detail: String)
    /// An input does not match the model.
    case badInput(String)
    /// The loss became NaN or infinite.
    case lossNotFinite(epoch: Int, step: Int)

    /// One line describing the problem, naming the file when there is one.
    public var description: String {
        switch self {
        case .badArchitecture(let detail): "bad architecture: \(detail)"
        case .badShape(let detail): "layers do not fit: \(detail)"
        case .datasetMissing(let path, let dataset):
            "\(path): not found; run 'bash scripts/fetch-datasets.sh\(dataset == "fashion-mnist" ? " --fashion-mnist" : "")' to put \(dataset) in data/"
        case .badDataset(let path, let detail): "\(path): \(detail)"
        case .badModel(let path, let detail): "\(path): \(detail)"
        case .badInput(let detail): detail
        case .lossNotFinite(let epoch, let step):
            "the loss is not finite at epoch \(epoch), step \(step); stopped, keeping the last good checkpoint"
        }
    }
}
