import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
import CopydeskDefaultRules
#if canImport(Glibc)
import Glibc
#endif

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List or check rules.",
        subcommands: [List.self, Check.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the rules in effect (JSON includes each rule's patterns).")

        @Option(name: .long, help: "Output format: text or json.")
        var format: ReportFormat = .text

        @OptionGroup var ruleOptions: RuleOptions

        func run() throws {
            let loaded = ruleOptions.load()
            for e in loaded.errors { writeErr("\(e)\n") }
            writeOut(RuleListing.render(loaded.ruleSet, format: format))
            if !loaded.errors.isEmpty { throw Exit(code: ExitStatus.trouble) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate rule files and run every rule's examples.",
            discussion: "Exit status 1 when a rule file is invalid or an example fails; 0 when all pass."
        )

        @Argument(help: ArgumentHelp("Directory of rule files (default: the built-in rules).", valueName: "DIR"))
        var directory: String?

        func run() throws {
            let loaded = directory.map { RuleLoader.load(directory: $0) } ?? RuleLoader.loadDefault()
            var problems = 0
            for e in loaded.errors { writeOut("\(e)\n"); problems += 1 }
            let scratch = MatchScratch()
            var examples = 0
            for rule in loaded.ruleSet.rules {
                examples += rule.examples.triggering.count + rule.examples.nontriggering.count
                for f in ExampleRunner.check(rule, scratch: scratch) { writeOut("\(f)\n"); problems += 1 }
            }
            // Category examples: all the category's rules together, scored cues and threshold included.
            for settings in loaded.categories {
                examples += settings.examples.triggering.count + settings.examples.nontriggering.count
                for f in ExampleRunner.checkCategory(settings, rules: loaded.ruleSet.rules, scratch: scratch) { writeOut("\(f)\n"); problems += 1 }
            }
            let n = loaded.ruleSet.rules.count
            writeOut("\(n) rule\(n == 1 ? "" : "s"), \(examples) examples: \(problems == 0 ? "all pass" : "\(problems) problem\(problems == 1 ? "" : "s")")\n")
            if problems > 0 { throw Exit(code: ExitStatus.findings) }
        }
    }
}

