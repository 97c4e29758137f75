import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter .copydesk.yml.",
        discussion: "Every setting is shown with its default, commented out: uncomment what you need. An existing file is left alone unless --force is given."
    )

    @Argument(help: ArgumentHelp("Folder to write .copydesk.yml in (default: the current folder).", valueName: "DIR"))
    var directory: String = "."

    @Flag(name: .long, help: "Overwrite an existing .copydesk.yml.")
    var force = false

    func run() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            writeErr("copydesk: \(directory): no such folder\n")
            throw Exit(code: ExitStatus.trouble)
        }
        let path = directory == "." ? ConfigFile.fileName : (directory as NSString).appendingPathComponent(ConfigFile.fileName)
        if FileManager.default.fileExists(atPath: path) && !force {
            writeErr("copydesk: \(path) already exists (use --force to overwrite it)\n")
            throw Exit(code: ExitStatus.trouble)
        }
        do {
            try Data(StarterConfig.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            writeErr("copydesk: cannot write \(path): \(error.localizedDescription)\n")
            throw Exit(code: ExitStatus.trouble)
        }
        writeOut("Wrote \(path). Check what applies to a file with: copydesk config --print FILE\n")
    }
}
