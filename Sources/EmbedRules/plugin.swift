import Foundation
import PackagePlugin

/// Embeds the package's `Rules/*.yml` into CopydeskDefaultRules as Swift source, so the default
/// rules travel inside the binary, without the precompiled form (`PrecompiledDefaultRules.data`
/// is nil: the YAML is read at run time). Used only by the fuzzing build (`COPYDESK_FUZZ`), whose
/// sanitizer flags on CopydeskCore would also reach copydesk-rules-compiler; every other build
/// uses PrecompileRules. The command's inputs are every rule file (an edit re-runs it) and the
/// Rules directory itself (adding or removing a file changes its modification time); the script
/// lists the directory when it runs (*.yml, then *.yaml, each in byte order, as
/// `copydesk-rules-compiler` does). Only /bin/sh and base64 are used.
@main
struct EmbedRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let rulesDir = context.package.directoryURL.appendingPathComponent("Rules")
        let outputDir = context.pluginWorkDirectoryURL.appendingPathComponent("Generated")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: rulesDir.path)) ?? []
        let ruleFiles = names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
            .map { rulesDir.appendingPathComponent($0) }
        let script = #"""
        set -eu
        LC_ALL=C; export LC_ALL
        rules="$1"; outdir="$2"; out="$outdir/EmbeddedRules.swift"; tmp="$out.tmp.$$"
        mkdir -p "$outdir"
        {
          echo '// Generated from Rules/*.yml by the EmbedRules plugin. Do not edit.'
          echo 'enum EmbeddedRules {'
          echo '    /// (file name, base64 of the file bytes), in name order.'
          echo '    static let files: [(name: String, base64: String)] = ['
          for f in "$rules"/*.yml "$rules"/*.yaml; do
            [ -f "$f" ] || continue
            printf '        ("%s", "%s"),\n' "$(basename "$f")" "$(base64 < "$f" | tr -d '\n')"
          done
          echo '    ]'
          echo '}'
          echo 'enum PrecompiledDefaultRules {'
          echo '    static let data: String? = nil'
          echo '}'
        } > "$tmp"
        mv "$tmp" "$out"
        """#
        return [
            .buildCommand(
                displayName: "Embedding default rules from Rules/",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "embed-rules", rulesDir.path, outputDir.path],
                inputFiles: [rulesDir] + ruleFiles,
                outputFiles: [outputDir.appendingPathComponent("EmbeddedRules.swift")]
            )
        ]
    }
}
