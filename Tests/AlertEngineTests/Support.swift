import Foundation
import Model
import Testing
@testable import AlertEngine

/// Fixture files, written from each vendor's documented schema.
enum Fixture {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
    }

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }

    /// The folder that holds them.
    static var directory: String { url("okta.json").deletingLastPathComponent().path }

    /// Every fixture file by its path under the folder, subfolders included (`fidelity/okta.ndjson`);
    /// not folders, scripts or notes.
    static func files() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: directory).filter { name in
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isFolder)
            return exists && !isFolder.boolValue && !name.hasSuffix(".py") && !name.hasSuffix(".md")
        }.sorted()
    }

    /// Frames and normalizes a fixture with the built-in formats, as ingest would.
    static func normalize(_ name: String, format: String? = nil) throws -> (signals: [Normalized], rejected: [Rejected]) {
        let framed = Framer.frame(try bytes(name), name: name)
        let registry = FormatRegistry.builtIn()
        var signals: [Normalized] = []
        var rejected = framed.rejected
        for record in framed.records {
            guard let f = format.flatMap(registry.named) ?? registry.detect(record) else {
                rejected.append(Rejected(origin: record.origin, format: nil, reason: "unrecognized", raw: Array(record.raw.utf8)))
                continue
            }
            do { signals += try f.normalize(record) } catch where error.isSkip {
                continue  // the format's own record with no event in it (Suricata's stats)
            } catch {
                rejected.append(Rejected(origin: record.origin, format: f.name, reason: error.reason, raw: Array(record.raw.utf8)))
            }
        }
        return (signals, rejected)
    }
}

extension Normalized {
    func field(_ key: String) -> String? { fields[key]?.stringValue }
}
