// swift-tools-version:6.0
import PackageDescription
import Foundation

let package = Package(
    name: "Copydesk",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "CopydeskCore", targets: ["CopydeskCore", "CopydeskDefaultRules"]),
        .executable(name: "copydesk", targets: ["copydesk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // The MCP server (`copydesk mcp`): the MCP library needs only swift-system and swift-log.
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        // PCRE2 (8-bit code units) from the system: Debian `libpcre2-dev`.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        .target(
            name: "CopydeskCore",
            dependencies: ["CPCRE2", .product(name: "Yams", package: "Yams")]
        ),
        // The default rules, in the binary (copy it anywhere, run it from any directory): the
        // PrecompileRules plugin runs copydesk-rules-compiler, which embeds Rules/*.yml and the
        // same rules read and analysed at build time by CopydeskCore's own loader and prefilter
        // code, so the binary neither parses YAML nor analyses every pattern when it starts.
        // (A plugin's tool cannot depend on a target that uses a build-tool plugin, hence the
        // rules live in their own module; `RuleLoader.loadDefault()` is defined there.)
        .executableTarget(
            name: "copydesk-rules-compiler",
            dependencies: ["CopydeskCore"],
            path: "Sources/CopydeskRulesCompiler"
        ),
        .plugin(
            name: "PrecompileRules",
            capability: .buildTool(),
            dependencies: ["copydesk-rules-compiler"],
            path: "Sources/PrecompileRules"
        ),
        // The same files, embedded by a shell script without the precompiled form: only for the
        // fuzzing build (below), whose sanitizer flags on CopydeskCore would reach the tool too.
        .plugin(
            name: "EmbedRules",
            capability: .buildTool(),
            path: "Sources/EmbedRules"
        ),
        .target(
            name: "CopydeskDefaultRules",
            dependencies: ["CopydeskCore"],
            plugins: [ProcessInfo.processInfo.environment["COPYDESK_FUZZ"] != nil ? "EmbedRules" : "PrecompileRules"]
        ),
        .executableTarget(
            name: "copydesk",
            dependencies: ["CopydeskCore", "CopydeskDefaultRules", "CopydeskLSP", "CopydeskMCP", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The language server (`copydesk lsp`): JSON-RPC over stdio by hand, no extra dependency.
        .target(
            name: "CopydeskLSP",
            dependencies: ["CopydeskCore", "CopydeskDefaultRules"]
        ),
        // The MCP server's tools over the engine (`copydesk mcp`).
        .target(
            name: "CopydeskMCP",
            dependencies: ["CopydeskCore", .product(name: "MCP", package: "swift-sdk")]
        ),
        .testTarget(
            name: "CopydeskCoreTests",
            dependencies: ["CopydeskCore", "CopydeskDefaultRules"]
        ),
        .testTarget(
            name: "CopydeskLSPTests",
            dependencies: ["CopydeskLSP", "CopydeskCore", "CopydeskDefaultRules"]
        ),
        .testTarget(
            name: "CopydeskMCPTests",
            dependencies: ["CopydeskMCP", "CopydeskCore", "CopydeskDefaultRules", .product(name: "MCP", package: "swift-sdk")]
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
            dependencies: ["CopydeskCore", "CopydeskDefaultRules"],
            path: path,
            swiftSettings: [.unsafeFlags(fuzzFlags + ["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(fuzzFlags)]
        ))
    }
}
