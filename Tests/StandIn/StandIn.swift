import Foundation

/// A stand-in remote for tests: a Python stdlib server (the fixtures' `*.py`, or a `-c` script)
/// that prints its port or ports on its first line and exits when its stdin closes, so it
/// never outlives the test that started it. Real HTTP on 127.0.0.1, no mocks.
public final class StandIn {
    private let process = Process()
    private let stdin = Pipe()
    /// The numbers on the server's first line: its ports.
    public let ports: [Int]
    public var port: Int { ports[0] }

    /// Starts `python3 ARGUMENTS...` and waits for its first line.
    public init(python arguments: [String]) throws {
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardInput = stdin
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(10) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        ports = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard !ports.isEmpty else {
            try? stdin.fileHandleForWriting.close()
            process.waitUntilExit()
            throw StandInError(message: "the stand-in server (python3 \(arguments.first ?? "")) printed no port: '\(text)'")
        }
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

public struct StandInError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
