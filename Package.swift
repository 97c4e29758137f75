// swift-tools-version:6.0
import PackageDescription
import Foundation

let package = Package(
    name: "Copydesk",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "CopydeskCore", targets: ["CopydeskCore"]),
        .executable(name: "copydesk", targets: ["copydesk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // PCRE2 (8-bit code units) from the system: Debian `libpcre2-dev`.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        // Turns Rules/*.yml into Swift source at build time, so the default rules travel
        // inside the binary (copy it anywhere, run it from any directory).
        .plugin(
            name: "EmbedRules",
            capability: .buildTool(),
            path: "Sources/EmbedRules"
        ),
        .target(
            name: "CopydeskCore",
            dependencies: ["CPCRE2", .product(name: "Yams", package: "Yams")],
            plugins: ["EmbedRules"]
        ),
        .executableTarget(
            name: "copydesk",
            dependencies: ["CopydeskCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "CopydeskCoreTests",
            dependencies: ["CopydeskCore"]
        ),
        .testTarget(
            name: "CopydeskCLITests",
            dependencies: ["CopydeskCore"]
        ),
    ]
)

// libFuzzer targets (issue 6), added only when COPYDESK_FUZZ is set so the normal build and
// `swift test` never see them. `.ci/fuzz` sets it, builds in .build/fuzz and runs them.
if ProcessInfo.processInfo.environment["COPYDESK_FUZZ"] != nil {
    let fuzzFlags: [String] = ["-sanitize=fuzzer,address"]
    // Coverage instrumentation for the code under test (compiled, not linked, with the fuzzer).
    for target in package.targets where target.name == "CopydeskCore" {
        target.swiftSettings = [.unsafeFlags(fuzzFlags)]
    }
    for (name, path) in [("copydesk-fuzz-document", "Sources/CopydeskFuzzDocument"), ("copydesk-fuzz-rules", "Sources/CopydeskFuzzRules")] {
        package.targets.append(.executableTarget(
            name: name,
            dependencies: ["CopydeskCore"],
            path: path,
            swiftSettings: [.unsafeFlags(fuzzFlags + ["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(fuzzFlags)]
        ))
    }
}
