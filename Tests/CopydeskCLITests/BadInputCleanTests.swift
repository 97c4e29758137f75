import CopydeskCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `copydesk clean` through the executable: streams, --dry-run, --in-place (atomic, permissions,
/// untouched files, symlinks, interruption) and bad input.
@Suite("Clean command", .serialized)
struct BadInputCleanTests {
    static let article = "Storm Closes Schools\n\nSchools closed across the county on Monday.\n\nUse promo code STORM20 for umbrellas.\n\nExperts say more rain is coming.\nSign up for our newsletter!\n"
    static let cleaned = "Storm Closes Schools\n\nSchools closed across the county on Monday.\n\nExperts say more rain is coming.\n"

    static func file(_ dir: URL, _ name: String) -> String { dir.appendingPathComponent(name).path }
    static func bytes(_ path: String) -> [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? [] }
    static func stat(_ path: String) -> stat {
        var st = Glibc.stat()
        _ = Glibc.lstat(path, &st)
        return st
    }
    /// Sets a file's times an hour back, so a rewrite is visible even within one second.
    static func age(_ path: String) {
        var times = [timespec(tv_sec: time(nil) - 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3600, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    @Test func standardInputToStandardOutput() throws {
        let (dir, _) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try BadInputKit.run(["clean", "--rules", "rules"], cwd: dir, stdin: Data(Self.article.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text == Self.cleaned)
        #expect(r.stderr.isEmpty)
        // --stdin-name picks the reader; - names standard input explicitly.
        let md = try BadInputKit.run(["clean", "--rules", "rules", "-", "--stdin-filename", "x.md"], cwd: dir, stdin: Data("A.\n\nUse `promo code INCODE1` here.\n\nUse promo code OUT2 now.\n".utf8))
        #expect(md.text == "A.\n\nUse `promo code INCODE1` here.\n")
    }

    @Test func oneFileToStandardOutputOrToOut() throws {
        let (dir, _) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.article.write(toFile: Self.file(dir, "a.txt"), atomically: true, encoding: .utf8)
        let r = try BadInputKit.run(["clean", "--rules", "rules", "a.txt"], cwd: dir)
        #expect(r.status == 0 && r.text == Self.cleaned)
        #expect(Self.bytes(Self.file(dir, "a.txt")) == Array(Self.article.utf8), "the input is not touched")
        let o = try BadInputKit.run(["clean", "--rules", "rules", "a.txt", "-o", "out/clean.txt"], cwd: dir)
        #expect(o.status == 2, "a missing output folder is an error")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        let o2 = try BadInputKit.run(["clean", "--rules", "rules", "a.txt", "-o", "out/clean.txt"], cwd: dir)
        #expect(o2.status == 0 && o2.stdout.isEmpty)
        #expect(Self.bytes(Self.file(dir, "out/clean.txt")) == Array(Self.cleaned.utf8))
        #expect(Self.stat(Self.file(dir, "out/clean.txt")).st_mode & 0o777 == 0o666 & ~0o022 || Self.stat(Self.file(dir, "out/clean.txt")).st_mode & 0o022 == 0)
        let dash = try BadInputKit.run(["clean", "--rules", "rules", "a.txt", "--output", "-"], cwd: dir)
        #expect(dash.text == Self.cleaned)
    }

    @Test func dryRunPrintsADiffAndWritesNothing() throws {
        let (dir, _) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.article.write(toFile: Self.file(dir, "a.txt"), atomically: true, encoding: .utf8)
        try Self.cleaned.write(toFile: Self.file(dir, "b.txt"), atomically: true, encoding: .utf8)
        Self.age(Self.file(dir, "a.txt"))
        let before = Self.stat(Self.file(dir, "a.txt"))
        let r = try BadInputKit.run(["clean", "--rules", "rules", "--dry-run", "a.txt", "b.txt"], cwd: dir)
        #expect(r.status == 1, "changes pending: exit 1")
        #expect(r.text == "--- a.txt\n+++ a.txt\n@@ -2,7 +2,4 @@\n \n Schools closed across the county on Monday.\n \n"
                + "-Use promo code STORM20 for umbrellas.\n-\n Experts say more rain is coming.\n-Sign up for our newsletter!\n")
        #expect(r.stderr.contains("a.txt: would remove 3 lines (findings: ads 1, boilerplate 1)"))
        #expect(r.stderr.contains("1 file would change, 1 unchanged"))
        let after = Self.stat(Self.file(dir, "a.txt"))
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && Self.bytes(Self.file(dir, "a.txt")) == Array(Self.article.utf8))
        let none = try BadInputKit.run(["clean", "--rules", "rules", "--dry-run", "b.txt"], cwd: dir)
        #expect(none.status == 0 && none.stdout.isEmpty)
    }

    @Test func inPlaceKeepsPermissionsAndLeavesCleanFilesAlone() throws {
        let (dir, _) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tree = dir.appendingPathComponent("articles")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Self.article.write(toFile: Self.file(tree, "a.txt"), atomically: true, encoding: .utf8)
        try Self.article.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: Self.file(tree, "sub/crlf.md"), atomically: true, encoding: .utf8)
        try Self.cleaned.write(toFile: Self.file(tree, "clean.txt"), atomically: true, encoding: .utf8)
        try Data([0x00, 0x01] + Array("Use promo code BIN1 now".utf8)).write(to: tree.appendingPathComponent("blob.bin"))
        chmod(Self.file(tree, "a.txt"), 0o640)
        chmod(Self.file(tree, "sub/crlf.md"), 0o604)
        for f in ["a.txt", "sub/crlf.md", "clean.txt", "blob.bin"] { Self.age(Self.file(tree, f)) }
        let cleanBefore = Self.stat(Self.file(tree, "clean.txt"))
        let aBefore = Self.stat(Self.file(tree, "a.txt"))

        let r = try BadInputKit.run(["clean", "--rules", "rules", "--in-place", "articles"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("articles/blob.bin: skipped: binary file"))
        #expect(r.stderr.contains("2 files cleaned, 1 unchanged, 1 skipped"), "\(r.stderr)")
        #expect(Self.bytes(Self.file(tree, "a.txt")) == Array(Self.cleaned.utf8))
        #expect(Self.bytes(Self.file(tree, "sub/crlf.md")) == Array(Self.cleaned.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        let aAfter = Self.stat(Self.file(tree, "a.txt"))
        #expect(aAfter.st_mode & 0o7777 == 0o640)
        #expect(aAfter.st_ino != aBefore.st_ino, "replaced by rename, not rewritten in place")
        #expect(Self.stat(Self.file(tree, "sub/crlf.md")).st_mode & 0o7777 == 0o604)
        let cleanAfter = Self.stat(Self.file(tree, "clean.txt"))
        #expect(cleanAfter.st_mtim.tv_sec == cleanBefore.st_mtim.tv_sec && cleanAfter.st_ino == cleanBefore.st_ino, "an unchanged file is not touched")
        #expect(Self.stat(Self.file(tree, "blob.bin")).st_mtim.tv_sec == cleanBefore.st_mtim.tv_sec)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: tree.path).filter { $0.contains(".copydesk-") }
        #expect(leftovers.isEmpty)

        // Again: idempotent, nothing touched.
        for f in ["a.txt", "sub/crlf.md"] { Self.age(Self.file(tree, f)) }
        let aged = Self.stat(Self.file(tree, "a.txt")).st_mtim.tv_sec
        let again = try BadInputKit.run(["clean", "--rules", "rules", "--in-place", "articles"], cwd: dir)
        #expect(again.status == 0)
        #expect(again.stderr.contains("0 files cleaned, 3 unchanged, 1 skipped"), "\(again.stderr)")
        #expect(Self.stat(Self.file(tree, "a.txt")).st_mtim.tv_sec == aged)
    }

    @Test func inPlaceThroughASymlinkRewritesTheTarget() throws {
        let (dir, _) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.article.write(toFile: Self.file(dir, "target.txt"), atomically: true, encoding: .utf8)
        symlink("target.txt", Self.file(dir, "link.txt"))
        let r = try BadInputKit.run(["clean", "--rules", "rules", "--in-place", "link.txt"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.stat(Self.file(dir, "link.txt")).st_mode & S_IFMT == S_IFLNK, "the link stays a link")
        #expect(Self.bytes(Self.file(dir, "target.txt")) == Array(Self.cleaned.utf8))
    }

    @Test func configurationAndSuppressionsAreRespected() throws {
        let (dir, _) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("desk"), withIntermediateDirectories: true)
        try "rules:\n  boilerplate.newsletter: off\n".write(toFile: Self.file(dir, "desk/.copydesk.yml"), atomically: true, encoding: .utf8)
        try Self.article.write(toFile: Self.file(dir, "desk/a.txt"), atomically: true, encoding: .utf8)
        let r = try BadInputKit.run(["clean", "--rules", "rules", "desk/a.txt"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text == Self.cleaned + "Sign up for our newsletter!\n", "a rule the configuration turns off removes nothing")
        let noConfig = try BadInputKit.run(["clean", "--rules", "rules", "--no-config", "desk/a.txt"], cwd: dir)
        #expect(noConfig.text == Self.cleaned)
        // An inline suppression keeps its line.
        let kept = Self.article.replacingOccurrences(of: "Sign up for our newsletter!", with: "Sign up for our newsletter! <!-- copydesk-disable-line -->")
        let s = try BadInputKit.run(["clean", "--rules", "rules", "--no-config"], cwd: dir, stdin: Data(kept.utf8))
        #expect(s.text == Self.cleaned + "Sign up for our newsletter! <!-- copydesk-disable-line -->\n")
        // A broken configuration: nothing is cleaned.
        try "rules: [\n".write(toFile: Self.file(dir, "desk/.copydesk.yml"), atomically: true, encoding: .utf8)
        let broken = try BadInputKit.run(["clean", "--rules", "rules", "--in-place", "desk/a.txt"], cwd: dir)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("nothing was cleaned"))
        #expect(Self.bytes(Self.file(dir, "desk/a.txt")) == Array(Self.article.utf8))
    }

    @Test func errorsAndUsage() throws {
        let (dir, _) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.article.write(toFile: Self.file(dir, "a.txt"), atomically: true, encoding: .utf8)
        try Self.article.write(toFile: Self.file(dir, "b.txt"), atomically: true, encoding: .utf8)
        // A missing file: reported, the others cleaned, exit 2.
        let missing = try BadInputKit.run(["clean", "--rules", "rules", "--in-place", "a.txt", "gone.txt"], cwd: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("gone.txt: error: No such file or directory"))
        #expect(Self.bytes(Self.file(dir, "a.txt")) == Array(Self.cleaned.utf8))
        let usage: [([String], String)] = [
            (["--in-place", "-o", "x.txt", "b.txt"], "cannot be used together"),
            (["--dry-run", "-o", "x.txt", "b.txt"], "takes no -o/--output"),
            (["b.txt", "a.txt"], "several inputs"),
            (["."], "several inputs"),
            (["--category", "clickbait", "b.txt"], "never removes clickbait"),
            (["--category", "ads,attribution", "b.txt"], "never removes attribution"),
            (["--category", "spam", "b.txt"], "unknown category 'spam'"),
            (["--in-place", "-"], "cannot rewrite standard input"),
        ]
        for (args, message) in usage {
            let r = try BadInputKit.run(["clean", "--rules", "rules"] + args, cwd: dir)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        // Broken rules: nothing is touched.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("bad"), withIntermediateDirectories: true)
        try "rules:\n  - id: ads.x\n    patterns: ['(']\n".write(toFile: Self.file(dir, "bad/r.yml"), atomically: true, encoding: .utf8)
        let broken = try BadInputKit.run(["clean", "--rules", "bad", "--in-place", "b.txt"], cwd: dir)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("nothing was cleaned"))
        #expect(Self.bytes(Self.file(dir, "b.txt")) == Array(Self.article.utf8))
        // A FIFO without a writer does not hang clean either.
        #expect(mkfifo(Self.file(dir, "pipe.txt"), 0o644) == 0)
        let fifo = try BadInputKit.run(["clean", "--rules", "rules", "pipe.txt"], cwd: dir, env: ["COPYDESK_FIFO_TIMEOUT": "1"], timeout: 60)
        #expect(!fifo.timedOut && fifo.status == 2)
        let help = try BadInputKit.run(["clean", "--help"], cwd: dir)
        #expect(help.status == 0 && help.text.contains("--dry-run") && help.text.contains("--in-place"))
    }

    /// Kills `clean --in-place` at spread-out moments of a large rewrite: every time the article
    /// is either the old one or the new one, byte for byte, never a mix.
    @Test func killedMidRewriteLeavesOldOrNew() throws {
        let (dir, _) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "Big Article\n\n"
        var expected = text
        for i in 0..<100_000 {
            let para = "Paragraph \(i) reports what the council decided about the budget and the schools.\n\n"
            text += para; expected += para
            if i % 50 == 0 { text += "Use promo code BIG\(i) now.\n\n" }
        }
        let original = Array(text.utf8)
        let path = Self.file(dir, "big.txt")
        // One uninterrupted run tells how long a rewrite takes here.
        try Data(original).write(to: URL(fileURLWithPath: path))
        let full = try BadInputKit.run(["clean", "--rules", "rules", "--in-place", "big.txt"], cwd: dir, timeout: 300)
        #expect(full.status == 0, "\(full.stderr)")
        let new = Self.bytes(path)
        #expect(new == Array(expected.utf8))
        var outcomes: [String] = []
        var duringWrite = 0
        // Kill moments: spread over the run (reading, linting, writing), and right when the
        // temporary file appears (the write itself), with growing delays after it.
        var plan: [(fraction: Double?, afterTemp: Double?)] = [
            (0.3, nil), (0.6, nil), (0.9, nil), (nil, 0), (nil, 0.002), (nil, 0.01), (nil, 0.03),
        ]
        var k = 0
        while k < plan.count {
            let moment = plan[k]
            defer { k += 1 }
            // On a loaded machine the poll can miss the write; try a few more times then.
            if k == plan.count - 1 && duringWrite == 0 && plan.count < 12 { plan.append((nil, 0)) }
            try Data(original).write(to: URL(fileURLWithPath: path))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: BadInputKit.binary)
            p.arguments = ["clean", "--rules", "rules", "--in-place", "big.txt"]
            p.currentDirectoryURL = dir
            p.standardError = FileHandle.nullDevice
            try p.run()
            if let f = moment.fraction {
                Thread.sleep(forTimeInterval: full.seconds * f)
            } else {
                let deadline = Date().addingTimeInterval(full.seconds * 3)
                while Date() < deadline && p.isRunning {
                    if (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.contains(where: { $0.contains(".copydesk-") }) == true {
                        if p.isRunning { duringWrite += 1 }
                        break
                    }
                    usleep(200)
                }
                if let d = moment.afterTemp, d > 0 { Thread.sleep(forTimeInterval: d) }
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let now = Self.bytes(path)
            #expect(now == original || now == new, "kill \(k): the article is neither old nor new (\(now.count) bytes)")
            outcomes.append(now == new ? "new" : "old")
            // A temporary file a kill leaves behind is hidden and never the article itself.
            for leftover in try FileManager.default.contentsOfDirectory(atPath: dir.path) where leftover.contains(".copydesk-") {
                #expect(leftover.hasPrefix(".big.txt.copydesk-"))
                try FileManager.default.removeItem(atPath: Self.file(dir, leftover))
            }
        }
        #expect(duringWrite > 0, "no kill landed while the temporary file was being written")
        print("clean --in-place (\(String(format: "%.2f", full.seconds)) s) killed \(duringWrite) times mid-write: \(outcomes.joined(separator: " "))")
        // SIGTERM mid-run: the handler removes its temporary file.
        try Data(original).write(to: URL(fileURLWithPath: path))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: BadInputKit.binary)
        p.arguments = ["clean", "--rules", "rules", "--in-place", "big.txt"]
        p.currentDirectoryURL = dir
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: full.seconds * 0.8)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let now = Self.bytes(path)
        #expect(now == original || now == new)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".copydesk-") }.isEmpty)
    }
}
