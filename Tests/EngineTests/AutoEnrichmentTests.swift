import Credentials
import Foundation
import Model
import Positron
import Testing
@testable import Engine
@testable import Store

/// Enrichment rules after ingest: the right artifacts of the right signals get their queries,
/// once per TTL, from where the last pass stopped, through the ACL and the audit.
@Suite struct AutoEnrichmentTests {
    func positron(_ soc: SOC, acl: String = "") throws -> PositronConfig {
        try "login,manager\njane.doe,mboss\nbob.ray,cfo\n".write(toFile: soc.dir.file("hr.csv"), atomically: true, encoding: .utf8)
        try "ip,hostname\n203.0.113.9,vpn-gw-3\n".write(toFile: soc.dir.file("hosts.csv"), atomically: true, encoding: .utf8)
        let yaml = """
            plugins:
              - { name: hr, type: table, file: hr.csv, queries: { USER_MANAGER: { key: login, answer: { manager: manager } } } }
              - { name: hosts, type: table, file: hosts.csv, queries: { IP_TO_HOSTNAME: { key: ip, answer: { hostname: hostname } } } }
            enrichment:
              - kinds: ["SSO login from a new location"]
                artifacts: { user: [USER_MANAGER] }
              - sources: [okta]
                roles: [src]
                artifacts: { ip: [IP_TO_HOSTNAME] }
              - kinds: [CarbonBlack alert]
                artifacts: { user: [USER_MANAGER] }
            \(acl)
            """
        return try PositronConfig.parse(yaml: yaml, file: soc.dir.file("positron.yaml"), secrets: Secrets(values: [:], environment: [:]))
    }

    func answers(_ engine: Engine, _ type: ArtifactType, _ value: String) throws -> [String] {
        guard let artifact = try engine.store.read({ tx in try tx.artifact(type: type, value: value) }) else { return [] }
        return try engine.enrichments(of: artifact.id).map { "\($0.query) \($0.answer) \($0.plugins.joined(separator: ","))" }
    }

    @Test func newSignalsArtifactsGetTheirRulesQueriesOncePerTTL() throws {
        let soc = try SOC()
        let config = try positron(soc)
        let before = try soc.alert(user: "bob.ray")
        // The first pass only places the cursor: history is not sent to the plugins.
        #expect(try soc.admin.enrichNewSignals(with: config).asked == 0)
        #expect(try answers(soc.admin, .user, "bob.ray").isEmpty)
        _ = before

        _ = try soc.alert(user: "jane.doe", ip: "203.0.113.9")
        let pass = try soc.admin.enrichNewSignals(with: config)
        #expect(pass.signals == 2 && pass.asked == 2 && pass.answers == 2 && pass.failed == 0)
        #expect(try answers(soc.admin, .user, "jane.doe") == [#"USER_MANAGER {"manager":"mboss"} hr"#])
        #expect(try answers(soc.admin, .ip, "203.0.113.9") == [#"IP_TO_HOSTNAME {"hostname":"vpn-gw-3"} hosts"#])
        // The host artifact matched no rule.
        #expect(try answers(soc.admin, .host, "LT-JANE").isEmpty)

        // Nothing new: nothing asked. New signals about the same user within the TTL: not asked again.
        #expect(try soc.admin.enrichNewSignals(with: config).signals == 0)
        _ = try soc.alert(user: "jane.doe", ip: "203.0.113.9")
        let again = try soc.admin.enrichNewSignals(with: config)
        #expect(again.signals == 2 && again.asked == 0)
        let audited = try soc.admin.queryAudit().filter { $0.query == "USER_MANAGER" }
        #expect(audited.count == 1 && audited[0].input == "jane.doe" && audited[0].allowed)
    }

    @Test func aDeniedQueryIsAuditedAndTheRestGoOn() throws {
        let soc = try SOC()
        let config = try positron(soc, acl: "acl: { USER_MANAGER: [ir], IP_TO_HOSTNAME: [soc] }")
        _ = try soc.ana.enrichNewSignals(with: config)
        _ = try soc.alert(user: "jane.doe")
        let pass = try soc.ana.enrichNewSignals(with: config)
        #expect(pass.asked == 2 && pass.failed == 1 && pass.answers == 1)
        #expect(try answers(soc.admin, .user, "jane.doe").isEmpty)
        #expect(try soc.admin.queryAudit().contains { $0.query == "USER_MANAGER" && !$0.allowed && $0.analyst == "ana" })
    }

    @Test func theWorkerCatchesUpWithAnIngestThenStops() throws {
        let soc = try SOC()
        let config = try positron(soc)
        let worker = EnrichmentWorker(engine: soc.admin, positron: config, interval: 0.05)
        worker.start()
        for n in 0..<5 { _ = try soc.alert(user: n.isMultiple(of: 2) ? "jane.doe" : "bob.ray", ip: "203.0.113.9") }
        let (pass, problems) = worker.finish()
        #expect(problems.isEmpty)
        #expect(pass.signals == 10)
        #expect(try answers(soc.admin, .user, "jane.doe") == [#"USER_MANAGER {"manager":"mboss"} hr"#])
        #expect(try answers(soc.admin, .user, "bob.ray") == [#"USER_MANAGER {"manager":"cfo"} hr"#])
    }

    @Test(arguments: [
        ("enrichment: { kinds: [x] }", "enrichment is a list"),
        ("enrichment: [ { kinds: [SSO lgoin from a new locaton], artifacts: { user: [USER_MANAGER] } } ]", "no signal kind"),
        ("enrichment: [ { artifacts: { ipv9: [IP_GEO] } } ]", "no artifact type 'ipv9'"),
        ("enrichment: [ { artifacts: { ip: [IP_GOE] } } ]", "did you mean IP_GEO"),
        ("enrichment: [ { artifacts: { user: [IP_GEO] } } ]", "IP_GEO takes an ip"),
        ("enrichment: [ { kinds: [IDS alert] } ]", "needs artifacts"),
        ("enrichment: [ { kind: [x], artifacts: { ip: [IP_GEO] } } ]", "unknown key 'kind'"),
        ("enrichments: []", "unknown key 'enrichments'"),
    ])
    func badRulesSayWhereAndWhatToWrite(yaml: String, message: String) throws {
        #expect {
            _ = try PositronConfig.parse(yaml: yaml, file: "/etc/positron.yaml", secrets: Secrets(values: [:], environment: [:]))
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("/etc/positron.yaml")
        }
    }
}
