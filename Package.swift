// swift-tools-version:6.0
import PackageDescription

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
