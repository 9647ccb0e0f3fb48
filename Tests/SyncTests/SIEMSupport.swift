import Credentials
import Foundation
import HTTPClient
import Model
import StandIn
import Testing
@testable import Store
@testable import Sync

/// The stand-in Splunk HEC and Elasticsearch (Fixtures/siem.py) on 127.0.0.1.
final class SIEMs {
    private let server: StandIn
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    static let hecToken = "hec-s3cret-5"
    static let esAPIKey = "es-api-s3cret-6"
    static let esUser = "taser", esPassword = "es-pass-s3cret-7"
    static let secrets = ["hec_token": hecToken, "es_key": esAPIKey, "es_password": esPassword]

    init() throws {
        let script = try #require(Bundle.module.url(forResource: "siem", withExtension: "py", subdirectory: "Fixtures"))
        server = try StandIn(python: [script.path])
        port = server.port
    }

    struct Request {
        var path: String
        var headers: [String: String]
        var body: String
        var status: Int
        var ok: Bool { (200..<300).contains(status) }
        /// The body as JSON (HEC), or each NDJSON line (bulk).
        var json: JSONValue { (try? JSONValue.parse(Array(body.utf8))) ?? .null }
        var lines: [JSONValue] { body.split(separator: "\n").compactMap { try? JSONValue.parse(Array($0.utf8)) } }
    }

    func received() throws -> [Request] {
        let r = try HTTPClient().send(HTTPRequest(url: base + "/_received", timeout: 30))
        return (try JSONValue.parse(r.body).arrayValue ?? []).map { v in
            var headers: [String: String] = [:]
            for (k, h) in v["headers"]?.objectValue ?? [:] { headers[k] = h.stringValue }
            return Request(
                path: v["path"]?.stringValue ?? "", headers: headers, body: v["body"]?.stringValue ?? "",
                status: Int(v["status"]?.stringValue ?? "0") ?? 0)
        }
    }

    /// The stored Elasticsearch documents by `index/_id`.
    func documents() throws -> [String: JSONValue] {
        try JSONValue.parse(try HTTPClient().send(HTTPRequest(url: base + "/_docs", timeout: 30)).body).objectValue ?? [:]
    }

    /// The next `times` requests under `prefix` get `status` (with `body`), after storing the
    /// document when `afterStore`; or their bulk item fails with `item`.
    func fault(
        _ prefix: String, status: Int? = nil, body: JSONValue? = nil, times: Int = 1, afterStore: Bool = false,
        item: (status: Int, type: String, reason: String)? = nil
    ) throws {
        var f: [String: JSONValue] = ["prefix": .string(prefix), "times": .int(Int64(times)), "after_store": .bool(afterStore)]
        if let status { f["status"] = .int(Int64(status)) }
        if let body { f["body"] = body }
        if let item { f["item"] = ["status": .int(Int64(item.status)), "type": .string(item.type), "reason": .string(item.reason)] }
        _ = try HTTPClient().send(HTTPRequest(method: "POST", url: base + "/_fault", body: Array(JSONValue.object(f).text.utf8), timeout: 30))
    }

    /// Sends a bulk request of its own, as another writer to the index would.
    func bulk(_ ndjson: String) throws {
        _ = try HTTPClient().send(HTTPRequest(
            method: "POST", url: base + "/_bulk", headers: [("Content-Type", "application/x-ndjson"), ("Authorization", "ApiKey \(SIEMs.esAPIKey)")],
            body: Array(ndjson.utf8), timeout: 30))
    }
}

/// The stand-in syslog collector (Fixtures/syslog.py), plain TCP or TLS.
final class SyslogCollector {
    private let server: StandIn
    var port: Int { server.ports[0] }
    var control: String { "http://127.0.0.1:\(server.ports[1])" }

    init(tls: TestCertificate? = nil) throws {
        let script = try #require(Bundle.module.url(forResource: "syslog", withExtension: "py", subdirectory: "Fixtures"))
        server = try StandIn(python: [script.path] + (tls.map { ["--tls", $0.cert, $0.key] } ?? []))
        #expect(server.ports.count == 2)
    }

    /// The bytes of each connection that was read to its end, in the order they ended, once at
    /// least `count` of them hold bytes. The collector records a connection when it has read it
    /// to its end, which may be a moment after the sender has closed it and gone on (a TLS
    /// connection's close takes longest): asked at once, a test saw none now and then. Polled
    /// for up to 10 s.
    func connections(count: Int = 0) throws -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let r = try HTTPClient().send(HTTPRequest(url: control + "/_received", timeout: 30))
            let got = (try JSONValue.parse(r.body).arrayValue ?? []).compactMap { $0.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) } }
            if got.filter({ !$0.isEmpty }).count >= count || Date() > deadline { return got }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// The next `times` connections are reset, unread.
    func drop(_ times: Int) throws {
        _ = try HTTPClient().send(HTTPRequest(method: "POST", url: control + "/_drop", body: Array(#"{"times": \#(times)}"#.utf8), timeout: 30))
    }
}

/// A self-signed certificate for 127.0.0.1, made with the openssl CLI (Makefile's PACKAGES).
struct TestCertificate {
    let cert: String
    let key: String

    init(in dir: TempDir) throws {
        cert = dir.file("collector.pem")
        key = dir.file("collector.key")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
            "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0 && FileManager.default.fileExists(atPath: cert))
    }
}

extension World {
    /// A worker with the SIEMs' secrets, as taser 9.9.9.
    func siemWorker(_ yaml: String, secrets values: [String: String] = SIEMs.secrets) throws -> SyncWorker {
        let secrets = Secrets(values: values, environment: [:])
        return SyncWorker(store: admin.store, config: try config(yaml, secrets: secrets), secrets: secrets, version: "9.9.9")
    }

    /// An outbox message at a known time, as a change would write it; returns its outbox id.
    @discardableResult
    func enqueue(entity: String = "case", id: Int64, event: String, payload: JSONValue, key: String, at time: Timestamp) throws -> Int64 {
        try admin.store.write { tx in try tx.enqueue(endpoint: "*", entity: entity, id: id, event: event, payload: payload, key: key, at: time) }
        return try #require(try outbox().first { $0.idempotencyKey == key }?.id)
    }

    /// Every outbox message, routed or not.
    func outboxCount() throws -> Int { try admin.store.read { tx in try tx.outboxCount() } }
}
