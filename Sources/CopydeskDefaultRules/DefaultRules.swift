import Foundation
import CopydeskCore
import CopydeskWorkflow

/// The built-in rules (`Rules/*.yml`), embedded in the binary at build time by the
/// PrecompileRules plugin: the YAML files themselves and the form the build worked out from them
/// with the same loader and prefilter code (`PrecompiledRules`).
extension RuleLoader {
    /// The built-in rules. Read from the precompiled form: no YAML to parse, no pattern to
    /// analyse for the prefilter, and each pattern compiled only when it first runs (the build
    /// checked they all compile). When the rule files had errors there is no such form and the
    /// embedded YAML is read (`loadDefaultYAML()`), which reports them.
    public static func loadDefault() -> Result {
        loadDefaultPrecompiled() ?? loadDefaultYAML()
    }

    /// The built-in rules read from the embedded YAML by the run-time loader (what `load(files:)`
    /// does with any rule file): the reference the precompiled form must equal.
    public static func loadDefaultYAML() -> Result {
        load(files: EmbeddedRules.files.map { file in
            let bytes = Data(base64Encoded: file.base64) ?? Data()
            return (name: "Rules/" + file.name, contents: String(decoding: bytes, as: UTF8.self))
        })
    }

    /// The built-in rules from the precompiled form; nil when there is none.
    public static func loadDefaultPrecompiled() -> Result? {
        guard let data = PrecompiledDefaultRules.data else { return nil }
        return PrecompiledRules.decode(data)
    }
}

extension Engine {
    /// An engine over the built-in rules, or the rule files in `rulesDirectory` when given.
    public convenience init(rulesDirectory: String? = nil, configuration: ConfigResolver.Mode = .none, limits: MatchLimits = .default) {
        self.init(rulesDirectory: rulesDirectory, fallback: RuleLoader.loadDefault(), configuration: configuration, limits: limits)
    }
}
