// RunSettings: the settings that shape a training run, recorded in its checkpoint, so that a
// resumed run is refused when told to be a different run than the one the checkpoint started.

/// Every setting that shapes a training run, as canonical text keyed as in checkpoint metadata:
/// the architecture, batch size, seed, learning rate, Adam form, dataset and data limits.
/// Thread count and arithmetic (fast or reference) are not among them: they change rounding,
/// not the run.
public struct RunSettings: Sendable, Equatable {
    /// The settings' keys in checkpoint metadata (e.g. `batch_size`), in the order they are
    /// reported.
    public static let keys = [
        "architecture", "dataset", "train_limit", "test_limit", "batch_size", "seed",
        "learning_rate", "adam_form",
    ]

    /// Canonical text by key; a key is absent when the setting is unknown (not given, or not
    /// recorded by an older checkpoint).
    public private(set) var values: [String: String]

    /// Settings from values; nil leaves a setting out. A limit given as `.some(nil)` is the
    /// whole split, written `all`.
    public init(
        architecture: [LayerSpec]? = nil, dataset: String? = nil, trainLimit: Int?? = nil,
        testLimit: Int?? = nil, batchSize: Int? = nil, seed: UInt64? = nil,
        learningRate: Float? = nil, adamForm: AdamForm? = nil
    ) {
        var values = [String: String]()
        values["architecture"] = architecture.map(LayerSpec.text)
        values["dataset"] = dataset
        values["train_limit"] = trainLimit.map { $0.map(String.init) ?? "all" }
        values["test_limit"] = testLimit.map { $0.map(String.init) ?? "all" }
        values["batch_size"] = batchSize.map(String.init)
        values["seed"] = seed.map(String.init)
        values["learning_rate"] = learningRate.map { "\($0)" }
        values["adam_form"] = adamForm?.rawValue
        self.values = values
    }

    /// The settings a checkpoint's metadata records (those it has).
    public init(recordedIn metadata: [String: String]) {
        values = [:]
        for key in Self.keys {
            values[key] = metadata[key]
        }
        if let text = values["architecture"], let layers = try? LayerSpec.parse(text) {
            values["architecture"] = LayerSpec.text(layers)
        }
    }

    /// The metadata entries that record these settings in a checkpoint.
    public var metadata: [String: String] { values }

    /// A setting whose recorded and given values differ.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        /// The setting's key, as in ``RunSettings/keys``.
        public let key: String
        /// The value the checkpoint recorded.
        public let recorded: String
        /// The value given now.
        public let given: String

        /// One line naming the setting by its key and giving both values.
        public var description: String { description(naming: key) }

        /// The same line with the setting called `name` (a command line names its option).
        public func description(naming name: String) -> String {
            "\(name) is \(given), but the checkpoint's run used \(recorded)"
        }
    }

    /// The settings known on both sides whose values differ, in ``keys`` order.
    public func differences(from given: RunSettings) -> [Difference] {
        Self.keys.compactMap { key in
            guard let recorded = values[key], let other = given.values[key], recorded != other
            else { return nil }
            return Difference(key: key, recorded: recorded, given: other)
        }
    }

    /// The text of the setting `name`, if known.
    public subscript(name: String) -> String? { values[name] }
}
