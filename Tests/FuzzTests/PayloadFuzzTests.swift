import Automation
import Foundation
import Model
import Testing

/// What remote peers post to `taser serve` beside webhooks (Slack's button payloads) and the
/// analysts' own files (playbooks): mutated, they are read or refused, never a crash.
@Suite struct PayloadFuzzTests {
    static let click = #"{"type":"block_actions","user":{"id":"U1","username":"jane.doe","name":"jane"},"actions":[{"action_id":"securitybot.deny","value":"case:12:deny"}]}"#

    static func form(_ json: String) -> [UInt8] {
        Array(("payload=" + (json.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")).utf8)
    }

    @Test func mutatedSlackPayloadsAreReadOrRefused() {
        var mutator = Mutator(seed: FuzzBudget.seed &+ 3)
        let seeds = [Self.form(Self.click), Array(Self.click.utf8), Array(("payload=" + Self.click).utf8)]
        var read = 0, refused = 0
        for n in 0..<FuzzBudget.mutants(800) {
            let bytes = mutator.mutate(seeds[n % seeds.count], with: seeds)
            FuzzBudget.keep(bytes, test: "slack", name: "slack payload")
            do {
                _ = try SlackClick.parse(body: bytes)
                read += 1
            } catch {
                refused += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
    }

    static let events = [
        #"{"type":"event_callback","event_id":"Ev01","api_app_id":"A1","event":{"type":"message","channel":"C1","user":"U1","text":"hello","ts":"1750000000.000100","thread_ts":"1750000000.000001"}}"#,
        #"{"type":"event_callback","event_id":"Ev02","event":{"type":"message","subtype":"message_changed","channel":"C1","message":{"user":"U1","text":"edited","ts":"1.2"},"previous_message":{"text":"old","ts":"1.2"}}}"#,
        #"{"type":"event_callback","event_id":"Ev03","event":{"type":"message","subtype":"message_deleted","channel":"C1","deleted_ts":"1.2","previous_message":{"user":"U1","ts":"1.2"}}}"#,
        #"{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#,
    ]

    /// `/slack/events` bodies (after a good signature): read, with every id of Slack's shape and
    /// every text bounded, or refused with a reason.
    @Test func mutatedSlackEventsAreReadOrRefused() {
        var mutator = Mutator(seed: FuzzBudget.seed &+ 5)
        let seeds = Self.events.map { Array($0.utf8) }
        var read = 0, refused = 0
        for n in 0..<FuzzBudget.mutants(800) {
            let bytes = mutator.mutate(seeds[n % seeds.count], with: seeds)
            FuzzBudget.keep(bytes, test: "slack-events", name: "slack event")
            do {
                if case .callback(let c) = try SlackEventsRequest.parse(body: bytes), let m = c.message {
                    #expect(m.channel.utf8.count <= 64 && m.ts.utf8.count <= 41 && m.text.utf8.count <= SlackEventsRequest.longestText + 64)
                }
                read += 1
            } catch {
                refused += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
    }

    static let playbooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Playbooks")

    @Test func mutatedPlaybooksAreReadOrSayWhere() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.playbooks.path).filter { $0.hasSuffix(".yaml") }
        try #require(!files.isEmpty)
        let sources = try files.map { Array(try Data(contentsOf: Self.playbooks.appendingPathComponent($0))) }
        var mutator = Mutator(seed: FuzzBudget.seed &+ 4)
        var read = 0, refused = 0
        for n in 0..<FuzzBudget.mutants(400) {
            let bytes = mutator.mutate(sources[n % sources.count], with: sources)
            FuzzBudget.keep(bytes, test: "playbook", name: files[n % files.count])
            do {
                _ = try PlaybookParser(file: "fuzz.yaml").parse(String(decoding: bytes, as: UTF8.self))
                read += 1
            } catch {
                refused += 1
                #expect(error.description.hasPrefix("fuzz.yaml"), "\(error)")
            }
        }
        #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
    }
}
