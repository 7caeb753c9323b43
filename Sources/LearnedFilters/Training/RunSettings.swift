// RunSettings: the settings that shape a training run, recorded in its checkpoint, so that a
// resumed run is refused when told to be a different run than the one the checkpoint started.

/// Every setting that shapes a training run, as canonical text keyed as in checkpoint metadata:
/// the architecture, batch size, seed, learning rate, Adam form, dataset and data limits.
/// Thread count and arithmetic (fast or reference) are not among them: they change rounding,
/// not the run.
public struct RunSettings: Sendable, Equatable {
    /// One setting: its metadata key and the command-line option that sets it.
    public struct Key: Sendable, Equatable {
        /// The key in checkpoint metadata, e.g. `batch_size`.
        public let name: String
        /// The command-line option that sets it, e.g. `--batch-size`.
        public let option: String
    }

    /// The settings in the order they are reported.
    public static let keys: [Key] = [
        Key(name: "architecture", option: "--arch"),
        Key(name: "dataset", option: "--dataset"),
        Key(name: "train_limit", option: "--train-limit"),
        Key(name: "test_limit", option: "--test-limit"),
        Key(name: "batch_size", option: "--batch-size"),
        Key(name: "seed", option: "--seed"),
        Key(name: "learning_rate", option: "--learning-rate"),
        Key(name: "adam_form", option: "--adam"),
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
            values[key.name] = metadata[key.name]
        }
        if let text = values["architecture"], let layers = try? LayerSpec.parse(text) {
            values["architecture"] = LayerSpec.text(layers)
        }
    }

    /// The metadata entries that record these settings in a checkpoint.
    public var metadata: [String: String] { values }

    /// A setting whose recorded and given values differ.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        /// The command-line option of the setting.
        public let option: String
        /// The value the checkpoint recorded.
        public let recorded: String
        /// The value given now.
        public let given: String

        /// One line naming the option and both values.
        public var description: String {
            "\(option) is \(given), but the checkpoint's run used \(recorded)"
        }
    }

    /// The settings known on both sides whose values differ, in ``keys`` order.
    public func differences(from given: RunSettings) -> [Difference] {
        Self.keys.compactMap { key in
            guard let recorded = values[key.name], let other = given.values[key.name],
                recorded != other
            else { return nil }
            return Difference(option: key.option, recorded: recorded, given: other)
        }
    }

    /// The text of the setting `name`, if known.
    public subscript(name: String) -> String? { values[name] }
}
