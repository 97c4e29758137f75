import Foundation
import PackagePlugin

/// Runs `copydesk-rules-compiler` on the package's `Rules/*.yml`: the built-in rules, parsed and
/// with their prefilter literals worked out, as Swift source for the CopydeskDefaultRules module
/// (so the binary does not parse YAML nor analyse every pattern when it starts). The command's
/// inputs are every rule file and the Rules directory itself (adding or removing a file changes
/// its modification time), as for EmbedRules; the tool lists the directory when it runs.
@main
struct PrecompileRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let rulesDir = context.package.directoryURL.appendingPathComponent("Rules")
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("Generated").appendingPathComponent("PrecompiledDefaultRules.swift")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: rulesDir.path)) ?? []
        let ruleFiles = names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
            .map { rulesDir.appendingPathComponent($0) }
        return [
            .buildCommand(
                displayName: "Precompiling default rules from Rules/",
                executable: try context.tool(named: "copydesk-rules-compiler").url,
                arguments: [rulesDir.path, output.path],
                inputFiles: [rulesDir] + ruleFiles,
                outputFiles: [output]
            )
        ]
    }
}
