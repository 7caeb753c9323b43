// swift-tools-version:6.0
// convkit: image convolution, learned filters and convolution-arithmetic diagrams.
// The target graph mirrors DESIGN.md: dependencies point one way, from the CLI down to the C shims.
import PackageDescription

let package = Package(
    name: "convkit",
    products: [
        .executable(name: "convkit", targets: ["convkit"]),
        .library(name: "ImageIO", targets: ["ImageIO"]),
        .library(name: "Convolution", targets: ["Convolution"]),
        .library(name: "LearnedFilters", targets: ["LearnedFilters"]),
        .library(name: "Drawing", targets: ["Drawing"]),
        .library(name: "Diagrams", targets: ["Diagrams"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        // `swift package generate-documentation --target ImageIO` (DocC); not linked into code.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
    ],
    targets: [
        // C shims: the only places that touch the system libraries.
        .target(
            name: "CPNG",
            linkerSettings: [
                .linkedLibrary("png16"), .linkedLibrary("z"), .linkedLibrary("deflate"),
            ]
        ),
        .target(name: "CConvKernels"),
        .target(name: "CHDF5", dependencies: ["CHDF5Library"]),
        .systemLibrary(name: "CHDF5Library", path: "Sources/CHDF5Library", pkgConfig: "hdf5"),
        .systemLibrary(name: "CZlibSystem", path: "Sources/CZlibSystem"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo"),
        .systemLibrary(name: "CGIF", path: "Sources/CGIF"),
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW"),

        // Swift modules. ConvkitSupport is the package's own plumbing (shared pointers, parallel
        // loops and the thread policy, the seeded generator), visible to these modules only.
        .target(name: "ConvkitSupport"),
        .target(name: "ImageIO", dependencies: ["ConvkitSupport", "CPNG", "CZlibSystem"]),
        .target(
            name: "Convolution",
            dependencies: [
                "ConvkitSupport", "ImageIO", "CFFTW", "NamedKernelFiles", "CConvKernels",
            ]),
        // The named kernels: one text file each in filters/, bundled so `--kernel NAME` resolves
        // from any working directory.
        .target(
            name: "NamedKernelFiles", path: "filters",
            resources: [
                "box3", "box5", "edge", "emboss", "gaussian3", "gaussian5", "identity", "kirsch",
                "laplacian-4", "laplacian-8", "prewitt-x", "prewitt-y", "roberts-x", "roberts-y",
                "scharr-x", "scharr-y", "sharpen", "sobel-x", "sobel-y", "tutorial-horizontal",
                "unsharp",
            ].map { .copy("\($0).kernel") }),
        .target(
            name: "LearnedFilters",
            dependencies: [
                "ConvkitSupport", "ImageIO", "Convolution", "COpenBLAS", "CConvKernels",
            ]),
        // Model files from elsewhere and to elsewhere: Keras (.keras, .weights.h5), PyTorch state
        // dicts (safetensors) and ONNX. ONNXProtobuf is onnx.proto's generated Swift code.
        .target(
            name: "ONNXProtobuf",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["third_party", "README.md"]),
        .target(
            name: "ModelExchange",
            dependencies: [
                "ConvkitSupport", "LearnedFilters", "ImageIO", "CHDF5", "ONNXProtobuf",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .target(name: "Drawing", dependencies: ["CCairo", "ImageIO"]),
        .target(
            name: "Diagrams",
            dependencies: ["ConvkitSupport", "Drawing", "Convolution", "CGIF", "ImageIO"]),
        .target(name: "Visualization", dependencies: ["Drawing", "LearnedFilters", "ImageIO"]),
        .executableTarget(
            name: "convkit",
            dependencies: [
                "ConvkitSupport", "ImageIO", "Convolution", "LearnedFilters", "Drawing",
                "Visualization", "Diagrams", "ModelExchange",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Fuzz targets (scripts/fuzz.sh): libFuzzer entry points when built with -DFUZZING and
        // -sanitize=fuzzer, corpus replay runners (`fuzz-png FILE...`) in ordinary builds.
        .systemLibrary(name: "CLibFuzzer", path: "Sources/Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Sources/Fuzz/Support"),
        .executableTarget(
            name: "fuzz-png", dependencies: ["FuzzSupport", "ImageIO", "CZlibSystem"],
            path: "Sources/Fuzz/png"),
        .executableTarget(
            name: "fuzz-npy", dependencies: ["FuzzSupport", "ImageIO"], path: "Sources/Fuzz/npy"),
        .executableTarget(
            name: "fuzz-idx", dependencies: ["FuzzSupport", "ImageIO"], path: "Sources/Fuzz/idx"),
        .executableTarget(
            name: "fuzz-kernel", dependencies: ["FuzzSupport", "Convolution"],
            path: "Sources/Fuzz/kernel"),
        .executableTarget(
            name: "fuzz-safetensors", dependencies: ["FuzzSupport", "LearnedFilters"],
            path: "Sources/Fuzz/safetensors"),
        .executableTarget(
            name: "fuzz-arch", dependencies: ["FuzzSupport", "LearnedFilters"],
            path: "Sources/Fuzz/arch"),

        // Tests: one target per module, plus the CLI run as a process.
        .testTarget(
            name: "ImageIOTests",
            dependencies: ["ConvkitSupport", "ConvkitTestSupport", "ImageIO", "CPNG"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "LearnedFiltersTests",
            dependencies: [
                "ConvkitSupport", "ConvkitTestSupport", "LearnedFilters", "ImageIO", "CConvKernels",
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "CLITests",
            dependencies: ["ConvkitSupport", "ConvkitTestSupport", "ImageIO", "LearnedFilters"]),
        .testTarget(
            name: "ModelExchangeTests",
            dependencies: [
                "ConvkitTestSupport", "ModelExchange", "LearnedFilters", "ImageIO", "ONNXProtobuf",
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ConvolutionTests",
            dependencies: [
                "CConvKernels", "ConvkitSupport", "ConvkitTestSupport", "Convolution", "ImageIO",
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DrawingTests", dependencies: ["ConvkitTestSupport", "Drawing", "ImageIO"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "VisualizationTests",
            dependencies: [
                "ConvkitTestSupport", "Visualization", "Drawing", "LearnedFilters", "ImageIO",
            ]),
        .testTarget(
            name: "DiagramsTests",
            dependencies: [
                "ConvkitSupport", "ConvkitTestSupport", "Diagrams", "Drawing", "Convolution",
                "CGIF", "ImageIO",
            ],
            resources: [.copy("Fixtures")]),
        // Helpers the test targets share: fixture folders, pixel access, an SVG reader, the
        // convolution reference cases.
        .target(
            name: "ConvkitTestSupport", dependencies: ["ConvkitSupport", "ImageIO"],
            path: "Tests/TestSupport"),
    ]
)
