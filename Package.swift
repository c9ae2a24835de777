// swift-tools-version:6.0
import PackageDescription

// Module graph: each module, the modules it depends on, and what it holds.
//   CHDF5, CBLAS    system libraries   libhdf5 (with zlib) and OpenBLAS
//   CMPIShim        -                  C shim reaching Open MPI by dlopen at run time (no link-time MPI dependency)
//   CJetKernels     -                  C kernels for the small-K dense products (SSE2, AVX2+FMA, AVX-512F variants
//                                      compiled with per-function target attributes, chosen at run time)
//   JetDistributed  CMPIShim           the ranks of a training (MPI world or one process), byte collectives in
//                                      rank order, abort, the collective watchdog
//   JetCore         -                  seeded random generator, parallel loop, file system errors in plain words,
//                                      temporary output names and the sweep of stale ones
//   JetData         JetCore, CHDF5     HDF5 reading and writing, file layouts, selections, splits, jet batches
//   JetFeatures     JetCore, JetData   input variables, feature extraction, standardisation, class weights, resampling
//   JetNN           JetCore, CBLAS,    layers with forward and backward, losses, optimizers, schedules (no HDF5)
//                   CJetKernels        and the choice of OpenBLAS kernels and of the small-K kernels for the CPU (CPUID)
//   JetModels       JetCore, JetData,  MLP, Deep Sets and CNN taggers, training (data shards, part-wise gradients
//                   JetFeatures, JetNN, summed over ranks), run configs, model files, reweighting
//                   JetDistributed
//   JetMetrics      JetCore            ROC curves, working points, histograms, closure statistics, weight diagnostics,
//                                      saliency map value types, JSON and CSV output (no model code)
//   JetSaliency     JetMetrics,        gradient saliency and integrated gradients of a model
//                   JetModels, JetNN
//   JetReport       JetMetrics         SVG plots, heatmaps and the HTML report, from plain value types
//   JetExport       JetFeatures,       ONNX export: the protobuf wire format (writer and reader), the ONNX messages,
//                   JetNN, JetModels   one graph per model file with its preprocessing (preprocess.json), inspection
//   JetTagKit       all of the above,  the workflows, one run per command: YAML config files with --set overrides
//                   Yams               (the only Yams user), sharding, predict and reweight apply with their output
//                                      schemas, evaluate, saliency, reweight closure (two-sample half split), the run
//                                      report; one error type, JetTagKitError; re-exports JetData, JetModels,
//                                      JetMetrics and JetReport, whose types its API takes and returns
//   jettag          JetTagKit,         the command-line tool: argument parsing, one JetTagKit call per command, progress
//                   ArgumentParser,    and summary output, exit codes
//                   Logging
//   jettag-bench    JetCore, JetData, JetNN, JetModels, JetTagKit, ArgumentParser: reader and network benchmarks
//   JetTestSupport  JetCore, JetData   test helpers shared by the test targets (Tests/<Module>Tests), metadata mutations
//   jettag-fuzz     JetData, JetTestSupport  seeded mutation campaign over the sample's HDF5 metadata (Scripts/fuzz.sh)
// Design notes: docs/DESIGN.md; where things live: docs/ARCHITECTURE.md.
let package = Package(
    name: "JetTag",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "jettag", targets: ["jettag"]),
        .library(name: "JetCore", targets: ["JetCore"]),
        .library(name: "JetDistributed", targets: ["JetDistributed"]),
        .library(name: "JetData", targets: ["JetData"]),
        .library(name: "JetFeatures", targets: ["JetFeatures"]),
        .library(name: "JetNN", targets: ["JetNN"]),
        .library(name: "JetModels", targets: ["JetModels"]),
        .library(name: "JetMetrics", targets: ["JetMetrics"]),
        .library(name: "JetSaliency", targets: ["JetSaliency"]),
        .library(name: "JetReport", targets: ["JetReport"]),
        .library(name: "JetExport", targets: ["JetExport"]),
        .library(name: "JetTagKit", targets: ["JetTagKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev", "zlib1g-dev", "libdeflate-dev"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "CMPIShim"),
        .target(name: "CJetKernels"),
        .target(name: "JetDistributed", dependencies: ["CMPIShim"]),
        .target(name: "JetCore"),
        .target(name: "JetData", dependencies: ["JetCore", "CHDF5"], linkerSettings: [.linkedLibrary("z")]),
        .target(name: "JetFeatures", dependencies: ["JetCore", "JetData"]),
        .target(name: "JetNN", dependencies: ["JetCore", "CBLAS", "CJetKernels"]),
        .target(name: "JetModels", dependencies: ["JetCore", "JetData", "JetFeatures", "JetNN", "JetDistributed"]),
        .target(name: "JetMetrics", dependencies: ["JetCore"]),
        .target(name: "JetSaliency", dependencies: ["JetMetrics", "JetModels", "JetNN"]),
        .target(name: "JetReport", dependencies: ["JetMetrics"]),
        .target(name: "JetExport", dependencies: ["JetFeatures", "JetNN", "JetModels"]),
        .target(
            name: "JetTagKit",
            dependencies: [
                "JetCore", "JetData", "JetFeatures", "JetNN", "JetModels", "JetMetrics", "JetSaliency", "JetReport",
                "JetExport", "JetDistributed", .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "jettag",
            dependencies: [
                "JetTagKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "JetTestSupport", dependencies: ["JetCore", "JetData"], path: "Tests/JetTestSupport"),
        .executableTarget(
            name: "jettag-fuzz", dependencies: ["JetData", "JetTestSupport"], path: "Tests/JetDataFuzz",
            exclude: ["libhdf5-findings"]),
        .executableTarget(
            name: "jettag-bench",
            dependencies: [
                "JetCore", "JetData", "JetNN", "JetModels", "JetTagKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/jettag-bench"
        ),
        .testTarget(name: "JetCoreTests", dependencies: ["JetCore", "JetTestSupport"]),
        .testTarget(name: "JetDataTests", dependencies: ["JetData", "JetTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "JetFeaturesTests", dependencies: ["JetFeatures", "JetTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "JetNNTests", dependencies: ["JetNN", "JetTestSupport"]),
        .testTarget(name: "JetModelsTests", dependencies: ["JetModels", "JetTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "JetMetricsTests", dependencies: ["JetMetrics", "JetTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "JetSaliencyTests", dependencies: ["JetSaliency", "JetTestSupport"]),
        .testTarget(name: "JetReportTests", dependencies: ["JetReport", "JetMetrics"]),
        .testTarget(name: "JetExportTests", dependencies: ["JetExport"]),
        .testTarget(name: "JetTagKitTests", dependencies: ["JetTagKit", "JetNN", "JetTestSupport"]),
        .testTarget(name: "JetTagEndToEndTests", dependencies: ["JetTestSupport", "JetCore", "JetData", "JetModels"]),
    ]
)
