import Foundation
import Testing

/// The GitHub Action's shell steps (action.yml runs .ci/install-deps, .ci/action/build and
/// .ci/action/run), tested as scripts with stand-ins for apt-get, sudo and swift.
@Suite("Workflow: GitHub Action scripts", .serialized)
struct WorkflowActionTests {
    let root = WorkflowCLI.packageRoot

    @Test func actionYmlRunsTheTestedScripts() throws {
        let yml = try String(contentsOfFile: root + "/action.yml", encoding: .utf8)
        #expect(yml.contains("using: composite"))
        #expect(yml.contains("\"$GITHUB_ACTION_PATH/.ci/install-deps\""))
        #expect(yml.contains("\"$GITHUB_ACTION_PATH/.ci/action/build\" \"$GITHUB_ACTION_PATH\""))
        #expect(yml.contains("\"$GITHUB_ACTION_PATH/.ci/action/run\""))
        for input in ["paths", "format", "sarif-file", "fail-on", "config", "baseline", "args"] {
            #expect(yml.contains("  \(input):\n"), "input \(input)")
        }
        let hooks = try String(contentsOfFile: root + "/.pre-commit-hooks.yaml", encoding: .utf8)
        #expect(hooks.contains("- id: copydesk\n") && hooks.contains("entry: copydesk lint") && hooks.contains("language: swift"))
    }

    @Test func installStepInstallsPCRE2WhenMissing() throws {
        let s = Sandbox(); defer { s.remove() }
        // pkg-config says PCRE2 is missing; apt-get and sudo record what they were asked.
        s.file("bin/pkg-config", "#!/bin/sh\nexit 1\n", executable: true)
        s.file("bin/apt-get", "#!/bin/sh\necho \"apt-get $*\" >> \"$LOG\"\n", executable: true)
        s.file("bin/sudo", "#!/bin/sh\necho \"sudo\" >> \"$LOG\"\nexec \"$@\"\n", executable: true)
        s.file("bin/id", "#!/bin/sh\necho 1000\n", executable: true)
        let env = ["PATH": s.path + "/bin:/usr/bin:/bin", "LOG": s.path + "/log"]
        let r = try WorkflowCLI.run(root + "/.ci/install-deps", [], cwd: s.path, env: env)
        #expect(r.status == 0, "\(r.stderr)")
        let log = s.read("log") ?? ""
        #expect(log.contains("apt-get update -qq"))
        #expect(log.contains("apt-get install -y -qq libpcre2-dev"))
        #expect(log.contains("sudo"))
        // Present: nothing is installed.
        s.file("bin/pkg-config", "#!/bin/sh\nexit 0\n", executable: true)
        try? FileManager.default.removeItem(atPath: s.path + "/log")
        if FileManager.default.fileExists(atPath: "/usr/include/pcre2.h") {
            let again = try WorkflowCLI.run(root + "/.ci/install-deps", [], cwd: s.path, env: env)
            #expect(again.status == 0 && s.read("log") == nil)
        }
    }

    @Test func buildStepPrintsTheBinary() throws {
        let s = Sandbox(); defer { s.remove() }
        s.file("bin/swift", """
            #!/bin/sh
            echo "swift $*" >> "$LOG"
            case "$*" in
              *--show-bin-path*) echo "$OUT/release" ;;
              *) mkdir -p "$OUT/release" && printf '#!/bin/sh\\n' > "$OUT/release/copydesk" && chmod +x "$OUT/release/copydesk" ;;
            esac
            """, executable: true)
        let env = ["PATH": s.path + "/bin:/usr/bin:/bin", "LOG": s.path + "/log", "OUT": s.path + "/out"]
        let r = try WorkflowCLI.run(root + "/.ci/action/build", ["/action"], cwd: s.path, env: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == s.path + "/out/release/copydesk\n")
        #expect(s.read("log")?.contains("swift build -c release --product copydesk --package-path /action") == true)
        // No binary: exit 2 with a message.
        s.file("bin/swift", "#!/bin/sh\ncase \"$*\" in *--show-bin-path*) echo /nonexistent ;; esac\n", executable: true)
        let broken = try WorkflowCLI.run(root + "/.ci/action/build", ["/action"], cwd: s.path, env: env)
        #expect(broken.status == 2 && broken.stderr.contains("produced no binary"))
    }

    func runStep(_ s: Sandbox, _ inputs: [String: String]) throws -> (WorkflowCLI.Output, String) {
        var env = inputs
        env["COPYDESK_BIN"] = WorkflowCLI.binary
        env["GITHUB_OUTPUT"] = s.path + "/github_output"
        try? FileManager.default.removeItem(atPath: s.path + "/github_output")
        let r = try WorkflowCLI.run(root + "/.ci/action/run", [], cwd: s.path, env: env)
        return (r, s.read("github_output") ?? "")
    }

    @Test func runStepWithGitHubAnnotations() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file("docs/a.md", "Headline\n\nUse promo code SAVE.\n")
        s.file("docs/b.md", "Headline\n\nVote now.\n")
        let (r, out) = try runStep(s, ["INPUT_PATHS": "docs/a.md\n docs/b.md", "INPUT_FORMAT": "github", "INPUT_ARGS": "--rules rules"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("::error file=docs/a.md,line=3,col=5,"))
        #expect(r.stdout.contains("::warning file=docs/b.md,line=3,col=1,"))
        #expect(out.contains("exit-code=1\n") && out.contains("sarif-file=\n"))
        let (lenient, out2) = try runStep(s, ["INPUT_PATHS": "docs", "INPUT_FAIL_ON": "never", "INPUT_ARGS": "--rules rules"])
        #expect(lenient.status == 0 && out2.contains("exit-code=0"))
    }

    @Test func runStepWithSARIF() throws {
        let s = Sandbox(); defer { s.remove() }
        s.rules()
        s.file("my docs/a.md", "Headline\n\nUse promo code SAVE.\n")
        s.file("cfg.yml", "rules:\n  ads: warning\n")
        let (r, out) = try runStep(s, ["INPUT_PATHS": "my docs\n", "INPUT_FORMAT": "sarif", "INPUT_SARIF_FILE": "results.sarif",
                                       "INPUT_CONFIG": "cfg.yml", "INPUT_ARGS": "--rules rules"])
        #expect(r.status == 0)   // a warning does not fail at the default fail-on
        #expect(r.stdout.contains("::warning file=my docs/a.md,line=3"))
        #expect(out.contains("sarif-file=results.sarif\n") && out.contains("exit-code=0\n"))
        let sarif = try #require(s.read("results.sarif"))
        #expect(sarif.contains("\"ruleId\" : \"ads.promo-code\"") && sarif.contains("\"level\" : \"warning\""))
        #expect(sarif.contains("\"uri\" : \"my%20docs/a.md\""))
    }

    @Test func runStepRejectsAnUnknownFormat() throws {
        let s = Sandbox(); defer { s.remove() }
        let (r, out) = try runStep(s, ["INPUT_FORMAT": "pdf"])
        #expect(r.status == 2 && r.stdout.contains("::error title=copydesk::unknown format 'pdf'") && out.contains("exit-code=2"))
        let (missing, _) = try runStep(s, ["INPUT_PATHS": "nope.md", "INPUT_FORMAT": "text"])
        #expect(missing.status == 2)
    }
}
