import Foundation
import Model
import Testing
@testable import AlertEngine

/// Cloud and SaaS audit logs, over public samples (Fixtures/cloud/README.md says where each
/// line comes from).
@Suite struct CloudAuditTests {
    func signals(_ name: String) throws -> [Normalized] {
        let (signals, rejected) = try Fixture.normalize("cloud/\(name)")
        #expect(rejected.isEmpty, "\(rejected.map { "\($0.origin): \($0.reason)" })")
        return signals
    }

    @Test func azureSignInsKeepTheirFieldsAndSentinelsColumns() throws {
        let s = try signals("azure-signin.ndjson")
        #expect(s.count == 2)
        #expect(s.allSatisfy { $0.kind == .azureSignIn && $0.source == "azure" })
        let first = try #require(s.first)
        #expect(first.field("operationName") == "Sign-in activity")
        #expect(first.field("properties.status.errorCode") == "50140")
        #expect(first.field("ResultType") == "50140")
        #expect(first.field("DeviceDetail.deviceId") == "", "an empty device id stays, as rules test it")
        #expect(first.field("user.name") == "test@elastic.co")
        #expect(first.field("source.ip") == "81.2.69.144")
        #expect(first.field("event.outcome") == "failure")
        #expect(first.field("Status")?.hasPrefix("Failure") == true)
        #expect(first.time.ms == Timestamp(parsing: "2019-10-18T09:45:48.072Z")?.ms)
        #expect(first.severity == .low)
        #expect(first.title.hasPrefix("Failed Azure sign-in by test@elastic.co to Office 365: 50140"))
        #expect(first.sourceRef == "SignInLogs:8a4de8b5-095c-47d0-a96f-a75130c61d53")
    }

    @Test func azureActivityAuditAndRisk() throws {
        let activity = try signals("azure-activity.ndjson")
        #expect(activity.map(\.kind) == [.azureActivity, .azureActivity])
        #expect(activity[0].field("OperationNameValue") == "MICROSOFT.EVENTHUB/NAMESPACES/AUTHORIZATIONRULES/LISTKEYS/ACTION")
        #expect(activity[0].field("ResourceProviderValue") == "MICROSOFT.EVENTHUB")
        #expect(activity[0].field("azure.subscription_id") == "8a4de8b5-095c-47d0-a96f-a75130c61d53")
        #expect(activity[1].field("user.name") == "admin@contoso.example", "the upn claim, read as a key with dots")

        let audit = try signals("azure-audit.ndjson")
        #expect(audit.map(\.kind) == [.azureAudit, .azureAudit])
        #expect(audit[0].field("properties.message") == "Update device")
        #expect(audit[0].field("Category") == "Device")
        #expect(audit[0].field("azure.category") == "AuditLogs")
        #expect(audit[1].field("user.target.name") == "new.hire@contoso.example")
        #expect(audit[1].fields["properties.targetResources.modifiedProperties.displayName"] == .array([.string("AccountEnabled")]))
        #expect(audit[1].title == "Add user on new.hire@contoso.example by admin@contoso.example")

        let risk = try signals("azure-risk.ndjson")
        #expect(risk.map(\.kind) == [.azureRiskDetection, .azureRiskDetection])
        #expect(risk.map(\.severity) == [.high, .high])
        #expect(risk[0].time.ms == Timestamp(parsing: "2022-08-22T18:07:16Z")?.ms, "M/d/yyyy h:mm:ss PM")
        #expect(risk[1].field("properties.riskEventType") == "passwordSpray")
        #expect(risk[1].title.contains("passwordSpray for joel.miller@"))
    }

    @Test func anEventHubEnvelopeIsOneSignalPerRecordFramedOrOnALine() throws {
        let framed = try signals("azure-eventhub.json")
        #expect(framed.map(\.kind) == [.azureActivity, .azureRiskDetection])
        // The same envelope on one line (an Event Hub capture written as lines).
        let doc = try Fixture.bytes("cloud/azure-eventhub.json")
        let line = try JSONValue.parse(doc).text + "\n" + (try JSONValue.parse(doc).text)
        let records = Framer.frame(Array(line.utf8), name: "eh.ndjson").records
        #expect(records.count == 2)
        let format = try #require(FormatRegistry.builtIn().detect(records[0]))
        #expect(format.name == "azure")
        let out = try format.normalize(records[0])
        #expect(out.map(\.kind) == [.azureActivity, .azureRiskDetection])
        #expect(out[1].raw.contains("anonymizedIPAddress") && !out[1].raw.contains("LISTKEYS"))
    }

    @Test func microsoft365AlertsAndAuditRecords() throws {
        let s = try signals("m365.json")
        #expect(s.map(\.kind) == [.m365Alert, .m365Alert, .m365Audit])
        #expect(s[0].field("event.action") == "Elevation of Exchange admin privilege")
        #expect(s[0].field("event.provider") == "SecurityComplianceCenter")
        #expect(s[0].field("status") == "success" && s[0].field("Status") == "Active")
        #expect(s[0].field("user.name") == "asr@testsiem.onmicrosoft.com")
        #expect(s.map(\.severity) == [.low, .medium, .info])
        #expect(s[2].field("source.ip") == "81.2.69.144", "ClientIP's port is not the address")
        #expect(s[2].field("Parameters")?.contains("ForwardTo") == true)
        #expect(s[2].title == #"Exchange New-InboxRule on jdoe@testsiem.onmicrosoft.com\Forward all by jdoe@testsiem.onmicrosoft.com"#)
        #expect(s[2].sourceRef == "a1b2c3d4-0000-4000-8000-00000000e001")
    }

    @Test func googleCloudAndWorkspace() throws {
        let s = try signals("gcp.ndjson")
        #expect(s.map(\.kind) == [.gcpAudit, .gcpAudit, .gcpAudit, .gcpAudit, .googleWorkspaceAdmin])
        #expect(s[1].severity == .low && s[1].field("event.outcome") == "failure")
        #expect(s[1].title == "beta.compute.instances.aggregatedList on compute.googleapis.com by xxx@xxx.xxx failed: PERMISSION_DENIED")
        #expect(s[3].field("gcp.audit.method_name") == "v1.compute.firewalls.delete")
        #expect(s[3].field("protoPayload.methodName") == "v1.compute.firewalls.delete")
        #expect(s[3].fields["protoPayload.authorizationInfo.permission"] == .array([.string("compute.firewalls.delete")]))
        #expect(s[4].field("eventService") == "admin.googleapis.com")
        #expect(s[4].field("user_email") == "jdoe@mycompany.com")
        #expect(s[4].field("event.action") == "GRANT_ADMIN_PRIVILEGE")
    }

    @Test func gitHubKubernetesAndOpenCanary() throws {
        let gh = try signals("github.ndjson")
        #expect(gh.allSatisfy { $0.kind == .githubAudit })
        #expect(gh[0].field("user.name") == "github-actor" && gh[0].field("user.target.name") == "github-user")
        #expect(gh[0].time.ms == 1_583_364_382_722)
        #expect(gh[1].severity == .low, "disabling vulnerability alerts")
        #expect(gh[3].title == "GitHub repo.create by github-actor in Example-Org/repo-123")

        let k8s = try signals("kubernetes.ndjson")
        #expect(k8s.count == 4 && k8s.allSatisfy { $0.kind == .kubernetesAudit })
        #expect(k8s[0].field("user.username") == "system:serviceaccounts:default:default")
        #expect(k8s[0].field("user.name") == "system:serviceaccounts:default:default")
        #expect(k8s[1].field("objectRef.subresource") == "exec")
        #expect(k8s[2].fields["hostPath"] == .array([.string("/")]))
        #expect(k8s[2].fields["capabilities"] == .array([.string("SYS_ADMIN")]))
        #expect(k8s[2].severity == .low && k8s[2].title == "Kubernetes create pods kube-system/debug by jane (403)")
        #expect(k8s[3].field("verb") == "update", "AKS's kube-audit record is the event it holds")

        let canary = try signals("opencanary.ndjson")
        #expect(canary.allSatisfy { $0.kind == .openCanary })
        #expect(canary.map(\.severity) == [.medium, .medium, .medium, .high, .high, .medium, .info])
        #expect(canary[3].title == "Honeypot ssh login attempt from 192.168.0.10 as jdoe on opencanary-1:22")
        #expect(canary[3].fields["logtype"] == .int(4002))
        #expect(canary[0].fields["destination.port"] == .int(36123))
        #expect(canary[5].fields["source.port"] == nil, "-1 is no port")
    }

    @Test func eachSampleIsClaimedByItsOwnFormatOnly() throws {
        let registry = FormatRegistry.builtIn()
        let samples = [
            ("azure-signin.ndjson", "azure"), ("azure-activity.ndjson", "azure"), ("azure-audit.ndjson", "azure"),
            ("azure-risk.ndjson", "azure"), ("azure-eventhub.json", "azure"), ("m365.json", "m365"), ("gcp.ndjson", "gcp"),
            ("github.ndjson", "github"), ("opencanary.ndjson", "opencanary"),
        ]
        for (file, format) in samples {
            for record in Framer.frame(try Fixture.bytes("cloud/\(file)"), name: file).records {
                #expect(registry.formats.filter { $0.accepts(record) }.map(\.name) == [format], "\(record.origin)")
            }
        }
        // AKS's kube-audit record is Azure's (which reads the event inside); the rest are Kubernetes'.
        let k8s = Framer.frame(try Fixture.bytes("cloud/kubernetes.ndjson"), name: "k").records
        #expect(k8s.map { record in registry.formats.filter { $0.accepts(record) }.map(\.name) } == [["kubernetes"], ["kubernetes"], ["kubernetes"], ["azure"]])
    }

    @Test func othersJSONIsNotTakenAndBrokenRecordsAreRefused() throws {
        let registry = FormatRegistry.builtIn()
        // Every earlier fixture keeps its format.
        for name in ["cloudtrail.json", "okta.json", "falco.ndjson", "wazuh.ndjson", "suricata.ndjson", "guardduty.ndjson"] {
            for record in Framer.frame(try Fixture.bytes(name), name: name).records {
                let format = registry.detect(record)?.name ?? "none"
                #expect(!["azure", "m365", "gcp", "kubernetes", "github", "opencanary"].contains(format), "\(name): \(format)")
            }
        }
        let bad = [
            #"{"operationName":"x","time":"not a time","category":"AuditLogs","resourceId":"/tenants/t"}"#,
            #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get"}"#,
            #"{"actor":"a","action":"repo.create","org":"o","created_at":"yesterday"}"#,
            #"{"logtype":4002,"node_id":"n","src_host":"1.2.3.4","utc_time":"99999-01-01 00:00:00"}"#,
        ]
        for text in bad {
            let records = Framer.frame(Array(text.utf8), name: "bad.json").records
            let record = try #require(records.first)
            let format = try #require(registry.detect(record), "\(text)")
            #expect(throws: NormalizeError.self) { try format.normalize(record) }
        }
        // An envelope on one line with a record that is not Azure's: refused whole, never half-read.
        let envelope = try JSONValue.parse(#"{"records":[{"operationName":"x","time":"2020-01-01T00:00:00Z","category":"c","resourceId":"r"},{"nope":1}]}"#)
        let record = Record(payload: .json(envelope), raw: envelope.text, origin: "eh:1")
        #expect(AzureMonitorFormat().accepts(record))
        #expect(throws: NormalizeError.self) { try AzureMonitorFormat().normalize(record) }
    }
}
