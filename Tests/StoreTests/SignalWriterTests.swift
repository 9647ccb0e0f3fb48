import Foundation
import Model
import Testing
@testable import Store

@Suite struct SignalWriterTests {
    @Test func theSameInputTwiceIsStoredOnce() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let batch = [
            signal("a-1", artifacts: [ArtifactMention(.ip, "10.0.0.1", role: "src")]),
            signal(nil, raw: #"{"no":"id"}"#),
            signal("a-2"),
        ]
        let first = try SignalWriter(store: store).write(batch)
        #expect(first.inserted == 3)
        let again = try SignalWriter(store: store).write(batch)
        #expect(again.inserted == 0)
        #expect(again.duplicates == 3)
        #expect(try store.read { tx in try tx.signalCount() } == 3)
        // Without a vendor id, identity is the body's hash: a different body is a new signal.
        #expect(try SignalWriter(store: store).write([signal(nil, raw: #"{"no":"id2"}"#)]).inserted == 1)
    }

    @Test func storesTextAsGivenIncludingEmptyAndNonASCII() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let raw = #"{"msg":"Zugriff verweigert für jürgen 🙅"}"#
        let batch = [NewSignal(
            time: Timestamp(ms: 7), source: "test", sourceRef: nil, kind: "test.event", severity: .high, title: "",
            fields: ["user.name": "jürgen"], raw: raw, artifacts: [])]
        let id = try #require(try SignalWriter(store: store).write(batch).ids.first ?? nil)
        let stored = try #require(try store.read { tx in try tx.signal(id) })
        // An empty title binds as '' (NOT NULL holds), and bytes beyond ASCII arrive intact.
        #expect(stored.title == "" && stored.raw == raw && stored.fields["user.name"] == "jürgen")
        #expect(stored.sourceRef == SignalWriter.contentRef(raw) && stored.sourceRef.hasPrefix("sha256:"))
        #expect(stored.severity == .high && stored.time.ms == 7)
        // FIPS 180-2's test vector.
        #expect(SignalWriter.contentRef("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func artifactsAreSharedAndTrackFirstAndLastSeen() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let writer = SignalWriter(store: store)
        let ip = ArtifactMention(.ip, "10.0.0.1", role: "src")
        _ = try writer.write([signal("1", time: 5_000, artifacts: [ip]), signal("2", time: 3_000, artifacts: [ip])])
        _ = try writer.write([signal("3", time: 9_000, artifacts: [ip, ArtifactMention(.ip, "10.0.0.1", role: "dst")])])
        _ = try SignalWriter(store: store).write([signal("4", time: 1_000, artifacts: [ip])])
        let artifact = try #require(try store.read { tx in try tx.artifact(type: .ip, value: "10.0.0.1") })
        #expect(artifact.firstSeen.ms == 1_000)
        #expect(artifact.lastSeen.ms == 9_000)
        let roles = try store.read { tx in try tx.artifacts(ofSignal: 3).map(\.role) }
        #expect(roles == ["dst", "src"])
    }

    @Test func aRolledBackBatchLeavesNoCachedArtifacts() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let writer = SignalWriter(store: store)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.write { tx in
                _ = try writer.write([signal("x", artifacts: [ArtifactMention(.host, "h1", role: "host")])], in: tx)
                throw Abort()
            }
        }
        // Had the writer kept the rolled-back artifact id, this link would break a foreign key.
        let result = try writer.write([signal("y", artifacts: [ArtifactMention(.host, "h1", role: "host")])])
        #expect(result.inserted == 1)
        #expect(try store.read { tx in try tx.verify().passed })
    }
}
