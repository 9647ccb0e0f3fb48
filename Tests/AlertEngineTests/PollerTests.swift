import Credentials
import Foundation
import Model
import Store
import Testing
@testable import AlertEngine

/// The fake vendor API (a real HTTP server on 127.0.0.1, in Python), for the life of a test.
final class VendorAPI {
    let process = Process()
    let port: Int
    let log: String
    let dir = TempDir()
    /// The server exits when this pipe closes, even if the test process dies.
    let stdin = Pipe()

    init() throws {
        log = dir.file("requests.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixture.url("vendor_api.py").path, log]
        let out = Pipe()
        process.standardOutput = out
        // Our own stdout/stderr must not be inherited: the test runner reads them to the end.
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while !line.contains(10) {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Secrets.Problem(description: "the fake vendor API did not start")
        }
        self.port = port
    }

    deinit {
        process.terminate()
        try? stdin.fileHandleForWriting.close()
    }

    var requests: [String] { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
}

@Suite(.serialized) struct PollerTests {
    func config(_ api: VendorAPI, _ secretsDir: TempDir, okta token: String = "okta-token-7f3a9c2e") throws -> ([PollerConfig], Secrets) {
        let secretsFile = secretsDir.file("secrets.yaml")
        try "okta_token: \(token)\nduo_skey: duo-secret-key-5d1b8e\n".write(toFile: secretsFile, atomically: true, encoding: .utf8)
        chmod(secretsFile, 0o600)
        let secrets = try Secrets.load(path: secretsFile, environment: ["DUO_IKEY": "DIXXXXXXXXXXXXXXXXXX"])
        let configFile = secretsDir.file("poll.yaml")
        try """
            pollers:
              - name: okta
                style: okta
                url: http://127.0.0.1:\(api.port)/api/v1/logs
                token: ${secret:okta_token}
                every: 60s
              - name: duo
                style: duo
                url: http://127.0.0.1:\(api.port)
                ikey: ${env:DUO_IKEY}
                skey: ${secret:duo_skey}
            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        return (try PollerConfig.load(path: configFile, secrets: secrets), secrets)
    }

    @Test func oktaKeepsItsCursorAndRetriesErrors() throws {
        let api = try VendorAPI()
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let (configs, secrets) = try config(api, dir)
        let poller = Poller(config: configs[0], ingester: Ingester(store: store), secrets: secrets, sleep: { _ in })
        let first = try poller.poll()
        #expect(first.stored == 3)
        #expect(api.requests.filter { $0.contains("after=2") }.count == 2)  // a 500, then the retry
        #expect(api.requests.allSatisfy { $0.hasSuffix("auth-ok") })
        let cursor = try store.read { try $0.pollCursor("poll:okta") }
        #expect(cursor?.contains("after=3") == true)

        let before = api.requests.count
        let second = try Poller(config: configs[0], ingester: Ingester(store: store), secrets: secrets, sleep: { _ in }).poll()
        #expect(second.stored == 0)
        #expect(api.requests.dropFirst(before).allSatisfy { $0.contains("after=3") })
        #expect(try store.read { try $0.signals(SignalFilter(sources: ["okta"])) }.count == 3)
    }

    @Test func duoSignsItsRequestsAndPages() throws {
        let api = try VendorAPI()
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let (configs, secrets) = try config(api, dir)
        let summary = try Poller(config: configs[1], ingester: Ingester(store: store), secrets: secrets, sleep: { _ in }).poll()
        #expect(summary.stored == 3)
        #expect(summary.kinds == ["duo.push.failed": 3])
        #expect(api.requests.count == 2 && api.requests.allSatisfy { $0.hasSuffix("auth-ok") })
        #expect(api.requests[1].contains("next_offset="))
        #expect(try store.read { try $0.pollCursor("poll:duo") }.flatMap { Int64($0) } != nil)
    }

    @Test func aBadTokenFailsClearlyWithoutShowingIt() throws {
        let api = try VendorAPI()
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let (configs, secrets) = try config(api, dir, okta: "wrong-token-abcdef")
        let error = #expect(throws: Poller.PollError.self) {
            try Poller(config: configs[0], ingester: Ingester(store: store), secrets: secrets, sleep: { _ in }).poll()
        }
        #expect(error?.description.contains("401") == true)
        #expect(error?.description.contains("credentials") == true)
        #expect(error?.description.contains("wrong-token-abcdef") == false)
        #expect(try store.read { try $0.pollCursor("poll:okta") } == nil)
    }

    @Test func anUnreachableServerGivesUpAndKeepsTheCursor() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        try store.write { try $0.setPollCursor("poll:okta", "http://127.0.0.1:9/api/v1/logs?after=42", at: .now) }
        let secretsFile = dir.file("s.yaml")
        try "okta_token: secret-value-123\n".write(toFile: secretsFile, atomically: true, encoding: .utf8)
        chmod(secretsFile, 0o600)
        let secrets = try Secrets.load(path: secretsFile)
        let configFile = dir.file("p.yaml")
        try "pollers:\n  - {name: okta, style: okta, url: 'http://127.0.0.1:9/api/v1/logs', token: '${secret:okta_token}'}\n"
            .write(toFile: configFile, atomically: true, encoding: .utf8)
        let config = try PollerConfig.load(path: configFile, secrets: secrets)[0]
        let recorded = Waits()
        let poller = Poller(config: config, ingester: Ingester(store: store), secrets: secrets, sleep: { recorded.add($0) })
        #expect(throws: Poller.PollError.self) { try poller.poll() }
        let waits = recorded.all
        #expect(waits.count == poller.attempts - 1)
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0.0 < $0.1 })  // backing off
        #expect(try store.read { try $0.pollCursor("poll:okta") } == "http://127.0.0.1:9/api/v1/logs?after=42")
    }

    @Test func secretsFilesMustBePrivate() throws {
        let dir = TempDir()
        let file = dir.file("secrets.yaml")
        try "okta_token: abc123456\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        let error = #expect(throws: Secrets.Problem.self) { try Secrets.load(path: file) }
        #expect(error?.description.contains("chmod 600") == true)
        #expect(error?.description.contains("abc123456") == false)
        let configFile = dir.file("p.yaml")
        try "pollers:\n  - {name: okta, style: okta, url: 'https://x.okta.com/api/v1/logs', token: '${secret:missing}'}\n"
            .write(toFile: configFile, atomically: true, encoding: .utf8)
        let missing = #expect(throws: Secrets.Problem.self) { try PollerConfig.load(path: configFile, secrets: Secrets(values: [:], environment: [:])) }
        #expect(missing?.description.contains("needs secret 'missing'") == true)
    }
}

final class Waits: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [TimeInterval] = []
    func add(_ v: TimeInterval) { lock.withLock { values.append(v) } }
    var all: [TimeInterval] { lock.withLock { values } }
}
