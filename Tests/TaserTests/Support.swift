import Foundation
import Testing

/// Runs the real `taser` binary, as an analyst would.
struct Taser {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    /// The binary next to the test bundle (`swift build` puts both in the same folder), or $TASER_BIN.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["TASER_BIN"] { return path }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("taser").path
    }()

    static func run(_ arguments: [String], stdin: String? = nil, env: [String: String] = [:], launcher: [String] = []) throws -> Result {
        let process = Process()
        let argv = launcher + [binary] + arguments
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["TASER_DB"] = nil
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting, so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "taser-cli-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String = "t.db") -> String { path + "/" + name }
}

/// A database with teams, analysts and two cases, made through the CLI.
func seededDatabase(_ dir: TempDir) throws -> String {
    let db = dir.file()
    for args in [
        ["team", "add", "soc"], ["team", "add", "ir"],
        ["analyst", "add", "ana", "--team", "soc"], ["analyst", "add", "dana", "--team", "ir"],
        ["--as", "ana", "case", "new", "--title", "First case"],
        ["--as", "ana", "case", "note", "1", "a note"],
        ["--as", "dana", "case", "new", "--title", "IR case"],
    ] {
        let r = try Taser.run(["--db", db] + args)
        try #require(r.status == 0, "taser \(args.joined(separator: " ")) failed: \(r.stderr)")
    }
    return db
}

/// A digest of the file's content as taser sees it, to prove a refused command wrote nothing.
func digest(_ db: String) throws -> String {
    let r = try Taser.run(["--db", db, "case", "export", "1", "--format", "csv"])
    let r2 = try Taser.run(["--db", db, "case", "list", "--json"])
    let r3 = try Taser.run(["--db", db, "team", "list", "--json"])
    return r.stdout + r2.stdout + r3.stdout + r.stderr + r2.stderr
}
