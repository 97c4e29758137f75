// swift-tools-version:6.0
import PackageDescription
import Foundation

let package = Package(
    name: "Copydesk",
    platforms: [.macOS(.v13)],
    products: [
        // The engine alone (documents, matching, rules, checks, linter, findings, cleaning).
        .library(name: "CopydeskCore", targets: ["CopydeskCore", "CopydeskDefaultRules"]),
        // What front ends import: the `Engine` facade, configuration, the run, and the reporters.
        .library(name: "CopydeskWorkflow", targets: ["CopydeskWorkflow", "CopydeskReports", "CopydeskCore", "CopydeskDefaultRules"]),
        .library(name: "CopydeskEval", targets: ["CopydeskEval"]),
        .executable(name: "copydesk", targets: ["copydesk"]),
        // `copydesk serve` (issue 11): a separate binary, so Hummingbird/NIO stay out of the CLI's build.
        .executable(name: "copydesk-serve", targets: ["copydesk-serve"]),
        .executable(name: "copydesk-mcp", targets: ["copydesk-mcp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // `swift package generate-documentation --target CopydeskCore` (DocC); not linked into anything.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Only the HTTP service (CopydeskServer, copydesk-serve) uses these.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
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
        // zlib from the system: Debian `zlib1g-dev` (records mode reads `.jsonl.gz`).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // The modules follow the pipeline (see docs/architecture.md); each depends only on the
        // ones above it here.
        // The engine: Document and readers, Matching (the only importer of CPCRE2), Rules and
        // their loader, Checks, Linter, Suppressions, Cleaner, and the result model (Finding,
        // FileReport, LintResult, Fingerprint).
        .target(
            name: "CopydeskCore",
            dependencies: ["CPCRE2", .product(name: "Yams", package: "Yams")]
        ),
        // One reporter per output format (text, JSON v1, JSON Lines, SARIF, GitHub, JUnit,
        // Checkstyle) and the rule listing: pure functions from results to text.
        .target(
            name: "CopydeskReports",
            dependencies: ["CopydeskCore"]
        ),
        // The run: `.copydesk.yml` configuration, file walking and ignore files, baseline,
        // LintRunner, in-place writes, and the `Engine` facade every front end calls. Re-exports
        // CopydeskCore and CopydeskReports, so a front end imports this one module.
        .target(
            name: "CopydeskWorkflow",
            dependencies: ["CopydeskCore", "CopydeskReports", "CZlib", .product(name: "Yams", package: "Yams")]
        ),
        // Accuracy measurement: datasets, labels, scoring (`copydesk eval`).
        .target(
            name: "CopydeskEval",
            dependencies: ["CopydeskCore", "CopydeskWorkflow"]
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
            dependencies: ["CopydeskCore", "CopydeskWorkflow"],
            plugins: [ProcessInfo.processInfo.environment["COPYDESK_FUZZ"] != nil ? "EmbedRules" : "PrecompileRules"]
        ),
        .executableTarget(
            name: "copydesk",
            dependencies: ["CopydeskCore", "CopydeskReports", "CopydeskWorkflow", "CopydeskEval", "CopydeskDefaultRules", "CopydeskLSP",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Helpers shared by the test targets (temporary folders, small rule files, the package
        // root and the golden fixtures, the SARIF schema check).
        .target(
            name: "CopydeskTestSupport",
            dependencies: ["CopydeskCore", "CopydeskReports", "CopydeskWorkflow", "CopydeskDefaultRules"],
            path: "Tests/CopydeskTestSupport"
        ),
        // The HTTP service (issue 11): the library the tests drive, and its executable.
        .target(
            name: "CopydeskServer",
            dependencies: [
                "CopydeskWorkflow", "CopydeskDefaultRules",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // The page and openapi.json, compiled into the binary by SwiftPM (no resource bundle).
            resources: [.embedInCode("Assets/index.html"), .embedInCode("Assets/openapi.json")]
        ),
        .executableTarget(
            name: "copydesk-serve",
            dependencies: ["CopydeskServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Sources/CopydeskServe"
        ),
        .testTarget(
            name: "CopydeskServerTests",
            dependencies: ["CopydeskServer", "CopydeskWorkflow", "CopydeskDefaultRules", "CopydeskTestSupport"]
        ),
        // The language server (`copydesk lsp`): JSON-RPC over stdio by hand, no extra dependency.
        .target(
            name: "CopydeskLSP",
            dependencies: ["CopydeskWorkflow", "CopydeskDefaultRules"]
        ),
        // The MCP server's tools over the engine (`copydesk mcp`).
        .target(
            name: "CopydeskMCP",
            dependencies: ["CopydeskWorkflow", "CopydeskDefaultRules", .product(name: "MCP", package: "swift-sdk")]
        ),
        // Its executable, run by `copydesk mcp`: the MCP SDK loads FoundationNetworking and libcurl,
        // which every `copydesk lint` would pay for at start-up if the CLI linked it.
        .executableTarget(
            name: "copydesk-mcp",
            dependencies: ["CopydeskMCP", "CopydeskWorkflow", "CopydeskDefaultRules",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/CopydeskMCPMain"
        ),
        .testTarget(
            name: "CopydeskCoreTests",
            dependencies: ["CopydeskCore", "CopydeskReports", "CopydeskWorkflow", "CopydeskDefaultRules", "CopydeskTestSupport"]
        ),
        .testTarget(
            name: "CopydeskReportsTests",
            dependencies: ["CopydeskCore", "CopydeskReports", "CopydeskWorkflow", "CopydeskDefaultRules", "CopydeskTestSupport"]
        ),
        .testTarget(
            name: "CopydeskWorkflowTests",
            dependencies: ["CopydeskCore", "CopydeskReports", "CopydeskWorkflow", "CopydeskDefaultRules", "CopydeskTestSupport"]
        ),
        .testTarget(
            name: "CopydeskEvalTests",
            dependencies: ["CopydeskCore", "CopydeskReports", "CopydeskWorkflow", "CopydeskEval", "CopydeskDefaultRules", "CopydeskTestSupport"]
        ),
        // Every relative link in README.md, CHANGELOG.md and docs/*.md resolves.
        .testTarget(
            name: "CopydeskDocsTests",
            dependencies: ["CopydeskTestSupport"]
        ),
        .testTarget(
            name: "CopydeskLSPTests",
            dependencies: ["CopydeskLSP", "CopydeskWorkflow", "CopydeskDefaultRules", "CopydeskTestSupport"]
        ),
        .testTarget(
            name: "CopydeskMCPTests",
            dependencies: ["CopydeskMCP", "CopydeskWorkflow", "CopydeskDefaultRules", "CopydeskTestSupport", .product(name: "MCP", package: "swift-sdk")]
        ),
        .testTarget(
            name: "CopydeskCLITests",
            dependencies: ["CopydeskCore", "CopydeskReports", "CopydeskTestSupport"]
        ),
    ]
)

// libFuzzer targets (issue 6), added only when COPYDESK_FUZZ is set so the normal build and
// `swift test` never see them. `.ci/fuzz` sets it, builds in .build/fuzz and runs them.
if ProcessInfo.processInfo.environment["COPYDESK_FUZZ"] != nil {
    let fuzzFlags: [String] = ["-sanitize=fuzzer,address"]
    // Coverage instrumentation for the code under test (compiled, not linked, with the fuzzer).
    for target in package.targets where ["CopydeskCore", "CopydeskReports", "CopydeskWorkflow"].contains(target.name) {
        target.swiftSettings = [.unsafeFlags(fuzzFlags)]
    }
    for (name, path) in [("copydesk-fuzz-document", "Sources/CopydeskFuzzDocument"), ("copydesk-fuzz-rules", "Sources/CopydeskFuzzRules")] {
        package.targets.append(.executableTarget(
            name: name,
            dependencies: ["CopydeskCore", "CopydeskWorkflow", "CopydeskDefaultRules"],
            path: path,
            swiftSettings: [.unsafeFlags(fuzzFlags + ["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(fuzzFlags)]
        ))
    }
}
