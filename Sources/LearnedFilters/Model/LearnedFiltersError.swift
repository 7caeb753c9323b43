// LearnedFiltersError: what can go wrong building, training, saving and loading models.

// An error enum: cases, then a description switch, as every module's error type has.
/// Errors of the learned-filters module; each description is one line naming the file when there is one.
public enum LearnedFiltersError: Error, Equatable, CustomStringConvertible {
    /// The `--arch` text cannot be parsed.
    case badArchitecture(String)
    /// The layers do not fit together (a shape becomes empty, a dense layer needs flat input, ...).
    case badShape(String)
    /// A dataset file is missing.
    case datasetMissing(path: String, dataset: String)
    /// A dataset file is readable but not what a dataset needs.
    case badDataset(path: String, detail: String)
    /// A folder that is already split into train/ and test/ was also asked to be split for
    /// validation.
    case alreadySplit(path: String)
    /// An image of a folder dataset differs in size from the first, and no common size was given
    /// to resize them to (`imageSize`).
    case mixedImageSizes(path: String, size: String, firstPath: String, firstSize: String)
    /// A model or checkpoint file is not a valid convkit safetensors file.
    case badModel(path: String, detail: String)
    /// An input does not match the model.
    case badInput(String)
    /// The loss became NaN or infinite.
    case lossNotFinite(epoch: Int, step: Int)
    /// An inference output (a logit) is NaN or infinite: a value overflowed float32 on the way.
    case outputNotFinite
    /// A gradient of an output (an attribution map's) is NaN or infinite.
    case gradientNotFinite

    /// One line describing the problem, naming the file when there is one.
    public var description: String {
        switch self {
        case .badArchitecture(let detail): "bad architecture: \(detail)"
        case .badShape(let detail): "layers do not fit: \(detail)"
        case .datasetMissing(let path, _): "\(path): not found"
        case .alreadySplit(let path):
            "\(path): has train/ and test/ folders, so it takes no validation split"
        case .mixedImageSizes(let path, let size, let firstPath, let firstSize):
            "\(path): \(size) pixels, but \(firstPath) is \(firstSize)"
        case .badDataset(let path, let detail): "\(path): \(detail)"
        case .badModel(let path, let detail): "\(path): \(detail)"
        case .badInput(let detail): detail
        case .lossNotFinite(let epoch, let step):
            "the loss is not finite (inf or NaN) at epoch \(epoch), step \(step)"
        case .outputNotFinite:
            "the model's output is inf or NaN: a value overflowed float32 on the way through its layers"
        case .gradientNotFinite:
            "the gradient of the model's output is inf or NaN: a value overflowed float32 on the way back through its layers"
        }
    }
}
