import Foundation
import Model
import Testing
@testable import AlertEngine
@testable import SignalServer

/// SigmaHQ's rules for cloud and SaaS logsources, imported unchanged, over the public samples
/// as ingest normalizes them: each rule fires on exactly the events it describes, and rules
/// close to them (near-misses) fire on none.
@Suite struct CloudSigmaTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let samples = tests.appendingPathComponent("AlertEngineTests/Fixtures/cloud")
    static let rules = tests.appendingPathComponent("SignalServerTests/Fixtures/sigmahq-cloud")

    /// The sample's signals, as ingest frames and normalizes them.
    func events(_ sample: String) throws -> [Normalized] {
        let bytes = Array(try Data(contentsOf: CloudSigmaTests.samples.appendingPathComponent(sample)))
        let framed = Framer.frame(bytes, name: sample)
        let registry = FormatRegistry.builtIn()
        var out: [Normalized] = []
        for record in framed.records {
            let format = try #require(registry.detect(record), "\(record.origin)")
            out += try format.normalize(record)
        }
        return out
    }

    /// Which of `sample`'s events the rule in `file` matches: the kind is one its logsource
    /// reads and its detection (with the logsource's conditions) holds.
    func fired(_ file: String, on sample: String) throws -> [Int] {
        let result = SigmaImport.read(paths: [CloudSigmaTests.rules.appendingPathComponent(file).path])
        #expect(result.problems.isEmpty, "\(file): \(result.problems)")
        let clause = try #require(result.rules.first?.rule.clauses.first, "\(file) imported no rule")
        let matcher = try Matcher(try #require(clause.filter))
        return try events(sample).enumerated().compactMap { n, event in
            clause.kinds.contains(event.kind.name) && matcher.matches(event.fields) ? n : nil
        }
    }

    @Test func azure() throws {
        #expect(try fired("azure_account_lockout.yml", on: "azure-signin.ndjson") == [1])
        #expect(try fired("azure_user_login_blocked_by_conditional_access.yml", on: "azure-signin.ndjson") == [])
        #expect(try fired("azure_identity_protection_anonymous_ip_address.yml", on: "azure-risk.ndjson") == [0])
        #expect(try fired("azure_identity_protection_password_spray.yml", on: "azure-risk.ndjson") == [1])
        #expect(try fired("azure_identity_protection_impossible_travel.yml", on: "azure-risk.ndjson") == [])
        #expect(try fired("azure_network_security_modified_or_deleted.yml", on: "azure-activity.ndjson") == [1])
        #expect(try fired("azure_keyvault_modified_or_deleted.yml", on: "azure-activity.ndjson") == [])
        #expect(try fired("azure_ad_account_created_deleted.yml", on: "azure-audit.ndjson") == [1])
        #expect(try fired("azure_guest_invite_failure.yml", on: "azure-audit.ndjson") == [])
        // Same Category (UserManagement) as the user added, another service and operation.
        #expect(try fired("azure_change_to_authentication_method.yml", on: "azure-audit.ndjson") == [])
        // Signs-in rules never read risk detections and the other way round.
        #expect(try fired("azure_identity_protection_password_spray.yml", on: "azure-eventhub.json") == [])
        #expect(try fired("azure_identity_protection_anonymous_ip_address.yml", on: "azure-eventhub.json") == [1])
    }

    @Test func microsoft365() throws {
        #expect(try fired("microsoft365_impossible_travel_activity.yml", on: "m365.json") == [1])
        #expect(try fired("microsoft365_activity_from_infrequent_country.yml", on: "m365.json") == [])
        #expect(try fired("microsoft365_susp_email_forwarding_activity.yml", on: "m365.json") == [2])
        // An inbox rule that forwards, where this rule wants one that deletes or hides mail.
        #expect(try fired("microsoft365_susp_inbox_rule_creation_or_update_activity.yml", on: "m365.json") == [])
    }

    @Test func googleCloud() throws {
        #expect(try fired("gcp_firewall_rule_modified_or_deleted.yml", on: "gcp.ndjson") == [3])
        #expect(try fired("gcp_bucket_enumeration.yml", on: "gcp.ndjson") == [])
        #expect(try fired("gcp_gworkspace_user_granted_admin_privileges.yml", on: "gcp.ndjson") == [4])
    }

    @Test func gitHub() throws {
        #expect(try fired("github_new_org_member.yml", on: "github.ndjson") == [0])
        #expect(try fired("github_disabled_outdated_dependency_or_vulnerability.yml", on: "github.ndjson") == [1])
        // repo.transfer is not repo.transfer_outgoing.
        #expect(try fired("github_repo_or_org_transferred.yml", on: "github.ndjson") == [])
    }

    @Test func kubernetes() throws {
        #expect(try fired("kubernetes_audit_exec_into_container.yml", on: "kubernetes.ndjson") == [1])
        #expect(try fired("kubernetes_audit_hostpath_mount.yml", on: "kubernetes.ndjson") == [2])
        #expect(try fired("kubernetes_audit_privileged_pod_creation.yml", on: "kubernetes.ndjson") == [2])
        #expect(try fired("kubernetes_audit_unauthorized_unauthenticated_actions.yml", on: "kubernetes.ndjson") == [2])
        #expect(try fired("kubernetes_audit_pod_in_system_namespace.yml", on: "kubernetes.ndjson") == [2])
        #expect(try fired("kubernetes_audit_secrets_enumeration.yml", on: "kubernetes.ndjson") == [])
    }

    @Test func openCanary() throws {
        #expect(try fired("opencanary_portscan_syn_scan.yml", on: "opencanary.ndjson") == [0])
        #expect(try fired("opencanary_ssh_login_attempt.yml", on: "opencanary.ndjson") == [3])
        #expect(try fired("opencanary_http_post_login_attempt.yml", on: "opencanary.ndjson") == [4])
        #expect(try fired("opencanary_smb_file_open.yml", on: "opencanary.ndjson") == [5])
        #expect(try fired("opencanary_ftp_login_attempt.yml", on: "opencanary.ndjson") == [])
    }
}
