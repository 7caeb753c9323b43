// RunSettingsTests: the settings a checkpoint records, and which given settings differ from them.

import Testing

@testable import LearnedFilters

@Suite struct RunSettingsTests {
    let recorded = RunSettings(
        architecture: try? LayerSpec.parse(LayerSpec.tutorial), dataset: "mnist",
        trainLimit: .some(300), testLimit: .some(nil), batchSize: 50, seed: 1,
        learningRate: 1e-3, adamForm: .keras)

    @Test func givenSettingsThatDifferAreNamedWithBothValues() throws {
        let given = RunSettings(seed: 5, learningRate: 1e-3, adamForm: .pytorch)
        #expect(
            recorded.differences(from: given).map(\.description) == [
                "seed is 5, but the checkpoint's run used 1",
                "adam_form is pytorch, but the checkpoint's run used keras",
            ])
        // Settings not given are taken from the checkpoint, so they cannot differ.
        #expect(recorded.differences(from: RunSettings()).isEmpty)
        #expect(
            recorded.differences(from: RunSettings(testLimit: .some(5))).first?.recorded == "all")
    }

    @Test func architecturesCompareInTheirCanonicalForm() throws {
        // The same network written with its defaults spelled out is the same setting.
        let spelled = try LayerSpec.parse(
            "conv2d:32:3x3:s=1:same:relu,maxpool:2,conv2d:64:3x3:d=1:same:relu,maxpool:2,flatten,dense:64,dropout:0.5,dense:10"
        )
        #expect(recorded.differences(from: RunSettings(architecture: spelled)).isEmpty)
    }

    @Test func checkpointMetadataRoundTripsAndOlderCheckpointsCompareWhatTheyHave() {
        #expect(RunSettings(recordedIn: recorded.metadata) == recorded)
        // An older checkpoint recorded no dataset or limits: only what it has is compared.
        let older = RunSettings(recordedIn: ["seed": "1", "batch_size": "50"])
        #expect(older.differences(from: RunSettings(dataset: "fashion-mnist")).isEmpty)
        #expect(older.differences(from: RunSettings(batchSize: 64)).count == 1)
    }
}
