// swift-tools-version:6.0
// FilterAndTrain: convkit used as a dependency, the way another package would use it.
//
// convkit is referenced by path so the example builds against the checkout it sits in. The
// explicit name keeps `.product(..., package: "convkit")` valid whatever the checkout's folder
// is called (a path dependency's identity is otherwise its folder name). Another package would
// write `.package(url: "https://.../convkit", from: "...")` instead.
import PackageDescription

let package = Package(
    name: "FilterAndTrain",
    dependencies: [.package(name: "convkit", path: "../..")],
    targets: [
        .executableTarget(
            name: "FilterAndTrain",
            dependencies: [
                .product(name: "ImageIO", package: "convkit"),
                .product(name: "Convolution", package: "convkit"),
                .product(name: "LearnedFilters", package: "convkit"),
            ])
    ]
)
