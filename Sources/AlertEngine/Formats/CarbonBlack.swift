import Model

/// VMware Carbon Black Cloud alerts: the Alerts API v7 shape (`backend_timestamp`,
/// `first_event_timestamp`, `device_internal_ip`, `ttps`, `process_sha256`, `netconn_*`, `k8s_*`),
/// as the API, the Data Forwarder and the syslog connector deliver it, and the v6 shape it
/// replaced (`create_time`, `first_event_time`, `policy_name`, `threat_indicators`,
/// `threat_cause_actor_*`). Both carry the same alert `id`, so an alert read from v6 and again
/// from v7 is stored once.
///
/// Time: when the activity began on the device (`first_event_timestamp`, v6 `first_event_time`),
/// else detection, else creation. Correlation windows are about what happened on the endpoint,
/// and the first event does not move when CBC updates the alert.
///
/// Severity, from CBC's 1-10: 1-2 low, 3-5 medium, 6-7 high, 8-10 critical.
struct CarbonBlackFormat: Format {
    let name = "carbonblack"
    var jsonMarks: [[String]] { [["id", "type", "org_key"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json else { return false }
        return e.has("id", "type", "org_key") && (e.has("backend_timestamp") || e.has("create_time"))
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        guard let id = e.string("id") else { throw NormalizeError("carbonblack: no alert id") }
        let time = try time(e, among: [
            "first_event_timestamp", "first_event_time", "detection_timestamp", "backend_timestamp", "create_time",
        ])
        let cbSeverity: Int64?
        switch e.at("severity") {
        case nil: cbSeverity = nil
        case let v?:
            guard let n = e.int("severity") else {
                throw NormalizeError("carbonblack: severity is not a number: \(v.text.prefix(40))")
            }
            cbSeverity = n
        }
        let type = e.string("type") ?? "alert"
        func text(_ path: String) -> String? {
            guard let s = e.string(path)?.trimmed, !s.isEmpty else { return nil }
            return s
        }

        var f: JSONObject = [:]
        f["cbc.type"] = .string(type)
        if let n = cbSeverity { f["cbc.severity"] = .int(n) }
        if let reason = text("reason") { f["cbc.reason"] = .string(reason) }
        ECS.copy(e, "reason_code", to: "cbc.reason_code", into: &f)
        ECS.copy(e, "reason_code", to: "rule.id", into: &f)
        ECS.copy(e, "threat_id", to: "cbc.threat_id", into: &f)
        ECS.copy(e, "org_key", to: "cbc.org_key", into: &f)
        ECS.copy(e, "run_state", to: "cbc.run_state", into: &f)
        ECS.copy(e, "policy_applied", to: "cbc.policy_applied", into: &f)
        ECS.copy(e, "sensor_action", to: "cbc.sensor_action", into: &f)
        ECS.copy(e, "sensor_action", to: "event.action", into: &f)
        ECS.copy(e, "alert_url", to: "cbc.alert_url", into: &f)
        ECS.copy(e, "device_location", to: "cbc.device_location", into: &f)
        if let policy = text("device_policy") ?? text("policy_name") { f["cbc.policy_name"] = .string(policy) }
        if let status = text("workflow.status") ?? text("workflow.state") { f["cbc.workflow.status"] = .string(status) }
        if let created = e.string("backend_timestamp") ?? e.string("create_time"), let t = Timestamp(parsing: created) {
            f["event.created"] = JSONValue(t)
        }
        if let rule = text("report_name") ?? text("threat_name") ?? text("k8s_rule") ?? text("rule_name") {
            f["rule.name"] = .string(rule)
        }
        let watchlists = e.at("watchlists")?.arrayValue?.compactMap { $0.string("name") } ?? []
        if !watchlists.isEmpty { f["cbc.watchlists"] = .array(watchlists.map { .string($0) }) }
        ECS.copy(e, "attack_tactic", to: "threat.tactic.id", into: &f)
        ECS.copy(e, "attack_technique", to: "threat.technique.id", into: &f)

        // v7 lists TTPs on the alert; v6 per threat indicator.
        var ttps = VendorJSON.strings(e.at("ttps"))
        var indicatorHashes: [String] = []
        for indicator in e.at("threat_indicators")?.arrayValue ?? [] {
            for ttp in VendorJSON.strings(indicator.at("ttps")) where !ttps.contains(ttp) { ttps.append(ttp) }
            if let sha = indicator.string("sha256") { indicatorHashes.append(sha) }
        }
        if !ttps.isEmpty { f["cbc.ttps"] = .array(ttps.map { .string($0) }) }

        // The device. CONTAINER_RUNTIME alerts have none (device_id 0, empty names).
        let device = text("device_name")
        if let device { f["host.name"] = .string(device) }
        if let deviceID = e.int("device_id"), deviceID != 0 { f["host.id"] = .string(String(deviceID)) }
        if let os = text("device_os") { f["host.os.type"] = .string(os.lowercased()) }
        ECS.copy(e, "device_os_version", to: "host.os.full", into: &f)
        let hostIPs = [text("device_internal_ip"), text("device_external_ip")].compactMap { $0 }
        if !hostIPs.isEmpty { f["host.ip"] = .array(hostIPs.map { .string($0) }) }
        ECS.user(text("device_username"), into: &f)

        // The process the alert is about; v6 names it the threat cause actor.
        if let process = text("process_name") ?? text("threat_cause_actor_name") {
            f["process.name"] = .string(VendorJSON.basename(process))
            if VendorJSON.isPath(process) { f["process.executable"] = .string(process) }
        }
        ECS.int(e, "process_pid", to: "process.pid", into: &f)
        // The process image is the file the alert convicts: demo data and rules use file.hash.
        if let sha = text("process_sha256") ?? text("threat_cause_actor_sha256") {
            f["process.hash.sha256"] = .string(sha)
            f["file.hash.sha256"] = .string(sha)
        }
        if let md5 = text("process_md5") ?? text("threat_cause_actor_md5") { f["process.hash.md5"] = .string(md5) }
        if let cmd = text("process_cmdline") { f["process.command_line"] = .string(cmd) }
        // ECS reuses only `id` and `name` under process.user, so a `CORP\svc` process user's
        // domain stays under cbc.
        ECS.user(text("process_username"), prefix: "process.user", domainKey: "cbc.process_user.domain", into: &f)
        ECS.copy(e, "process_reputation", to: "cbc.process_reputation", into: &f)
        if let parent = text("parent_name") {
            f["process.parent.name"] = .string(VendorJSON.basename(parent))
            if VendorJSON.isPath(parent) { f["process.parent.executable"] = .string(parent) }
        }
        ECS.int(e, "parent_pid", to: "process.parent.pid", into: &f)
        if let cmd = text("parent_cmdline") { f["process.parent.command_line"] = .string(cmd) }
        ECS.copy(e, "parent_sha256", to: "process.parent.hash.sha256", into: &f)

        // The network connection (CB_ANALYTICS, INTRUSION_DETECTION_SYSTEM, CONTAINER_RUNTIME):
        // local -> remote, unless the container alert says INGRESS.
        let remoteIP = text("netconn_remote_ip") ?? text("remote_ip")
        let remotePort = e.int("netconn_remote_port")
        let localIP = text("netconn_local_ip")
        let localPort = e.int("netconn_local_port")
        let ingress = e.string("connection_type")?.uppercased() == "INGRESS"
        let (src, dst) = ingress ? ("destination", "source") : ("source", "destination")
        if let localIP { f["\(src).ip"] = .string(localIP) }
        if let localPort, localPort != 0 { f["\(src).port"] = .int(localPort) }
        if let remoteIP { f["\(dst).ip"] = .string(remoteIP) }
        if let remotePort, remotePort != 0 { f["\(dst).port"] = .int(remotePort) }
        // v6 container alerts name only the service's port, whichever way the connection went.
        if let port = e.int("port"), port != 0 { f["destination.port"] = .int(port) }
        if let domain = text("netconn_remote_domain") ?? text("remote_domain") {
            f["\(dst).domain"] = .string(VendorJSON.hostname(domain).lowercased())
        }
        if let proto = text("netconn_protocol") ?? text("protocol") {
            f["network.transport"] = .string(proto.lowercased().replacingOccurrences(of: "proto_", with: ""))
        }
        if remoteIP != nil { f["network.direction"] = .string(ingress ? "ingress" : "egress") }

        // Kubernetes workloads (CONTAINER_RUNTIME): v7 k8s_*, v6 bare names.
        if let cluster = text("k8s_cluster") ?? text("cluster_name") { f["orchestrator.cluster.name"] = .string(cluster) }
        if let ns = text("k8s_namespace") ?? text("namespace") { f["orchestrator.namespace"] = .string(ns) }
        if let pod = text("k8s_pod_name") ?? text("replica_id") {
            f["orchestrator.resource.name"] = .string(pod)
            f["orchestrator.resource.type"] = "pod"
        }
        if let workload = text("k8s_workload_name") ?? text("workload_name") { f["cbc.k8s.workload_name"] = .string(workload) }
        if let kind = text("k8s_kind") ?? text("workload_kind") { f["cbc.k8s.workload_kind"] = .string(kind) }

        // Removable media (DEVICE_CONTROL).
        for key in ["vendor_name", "product_name", "serial_number", "external_device_friendly_name"] {
            ECS.copy(e, key, to: "cbc.usb.\(key)", into: &f)
        }

        let reason = text("reason") ?? "CarbonBlack \(type) alert"
        let place = device
            ?? [f["orchestrator.cluster.name"]?.stringValue, f["orchestrator.namespace"]?.stringValue].compactMap { $0 }
                .joined(separator: "/")
        let title = place.isEmpty ? reason : "\(reason) (\(place))"
        let mainHash = f["process.hash.sha256"]?.stringValue?.lowercased()
        var artifacts: [ArtifactMention] = []
        for sha in indicatorHashes where sha.lowercased() != mainHash {
            artifacts.append(ArtifactMention(.sha256, sha.lowercased(), role: "related"))
        }
        return [Normalized(
            time: time, source: "carbonblack", sourceRef: id, kind: .carbonBlackAlert,
            severity: cbSeverity.map(CarbonBlackFormat.severity) ?? .medium, title: title, fields: f, raw: record.raw,
            artifacts: artifacts, texts: [text("reason"), text("process_cmdline"), text("parent_cmdline")].compactMap { $0 })]
    }

    static func severity(_ cbc: Int64) -> Severity {
        switch cbc {
        case ...2: .low
        case 3...5: .medium
        case 6...7: .high
        default: .critical
        }
    }
}
