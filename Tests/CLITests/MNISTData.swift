// MNISTData: the check every CLI test that trains or evaluates on MNIST starts with.

import Foundation
import Testing

/// Fails (does not skip) when data/mnist is missing, naming the script that fetches it; true
/// when the training images are there.
func requireMNIST() -> Bool {
    let images = CLI.packageRoot + "/data/mnist/train-images-idx3-ubyte.gz"
    if FileManager.default.fileExists(atPath: images) { return true }
    Issue.record("data/mnist is missing: run 'bash scripts/fetch-datasets.sh'")
    return false
}
