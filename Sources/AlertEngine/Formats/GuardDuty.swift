import Model

/// Amazon GuardDuty findings in the service's JSON (S3 export, `findings` arrays): `schemaVersion`,
/// `accountId`, `region`, `id`, `arn`, `type` (`Recon:EC2/PortProbeUnprotectedPort`),
/// `resource` (`instanceDetails`, `accessKeyDetails`, ...), `service` (`action` by `actionType`,
/// `count`, `eventFirstSeen`, `eventLastSeen`), `severity`, `title`, `description`. Also:
/// - the EventBridge envelope (`detail-type: GuardDuty Finding`, `detail: {finding}`): the inner
///   finding is read, the envelope stays the raw body, and the finding's id is the identity, so a
///   finding from EventBridge and from an S3 export is stored once;
/// - `aws guardduty get-findings` / SDK output, whose members are PascalCase (`Findings`,
///   `AccessKeyDetails`, `IpAddressV4`): read as the camelCase the service writes.
///
/// Time: `service.eventFirstSeen` (when the activity began), else `createdAt`; never `updatedAt`,
/// which moves each time GuardDuty sees the activity again (`service.count`).
///
/// Severity, GuardDuty's bands: 9.0 and above critical, 7.0-8.9 high, 4.0-6.9 medium,
/// 1.0-3.9 low, below 1 info.
struct GuardDutyFormat: Format {
    let name = "guardduty"
    var jsonMarks: [[String]] { [["detail-type"], ["schemaVersion", "type", "resource", "service", "severity"], ["SchemaVersion", "Type", "Resource", "Service", "Severity"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json else { return false }
        return GuardDutyFormat.finding(in: e) != nil
    }

    /// The finding in camelCase: the record itself, an envelope's `detail`, or SDK output.
    static func finding(in e: JSONValue) -> JSONValue? {
        if e.string("detail-type") == "GuardDuty Finding", let detail = e.at("detail"), case .object = detail {
            return isFinding(detail) ? detail : VendorJSON.camelCased(detail)
        }
        if isFinding(e) { return e }
        // Security Hub's ASFF is PascalCase too, but has `Types`, `Resources` and a severity object.
        if e.has("SchemaVersion", "Type", "Resource", "Service", "Severity"), e.string("SchemaVersion")?.hasPrefix("2.") == true {
            return VendorJSON.camelCased(e)
        }
        return nil
    }

    static func isFinding(_ e: JSONValue) -> Bool {
        e.has("schemaVersion", "type", "resource", "service", "severity")
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let outer = try object(record)
        guard let g = GuardDutyFormat.finding(in: outer) else { throw NormalizeError("guardduty: not a GuardDuty finding") }
        guard let id = g.string("id") else { throw NormalizeError("guardduty: finding without an id") }
        guard let type = g.string("type") else { throw NormalizeError("guardduty: finding without a type") }
        guard let score = VendorJSON.double(g.at("severity")) else {
            throw NormalizeError("guardduty: severity is not a number: \(g.at("severity")?.text.prefix(40) ?? "missing")")
        }
        let time = try time(g, among: ["service.eventFirstSeen", "createdAt"])

        var f: JSONObject = [:]
        f["cloud.provider"] = "aws"
        ECS.copy(g, "accountId", to: "cloud.account.id", into: &f)
        ECS.copy(g, "region", to: "cloud.region", into: &f)
        f["rule.name"] = .string(type)
        f["event.action"] = .string(type)
        if let purpose = type.split(separator: ":").first, type.contains(":") {
            f["aws.guardduty.threat_purpose"] = .string(String(purpose))
        }
        f["aws.guardduty.severity"] = g.at("severity")
        ECS.copy(g, "arn", to: "aws.guardduty.arn", into: &f)
        ECS.copy(g, "resource.resourceType", to: "aws.guardduty.resource_type", into: &f)
        ECS.copy(g, "service.action.actionType", to: "aws.guardduty.action_type", into: &f)
        ECS.int(g, "service.count", to: "aws.guardduty.count", into: &f)
        ECS.copy(g, "service.archived", to: "aws.guardduty.archived", into: &f)
        ECS.copy(g, "service.featureName", to: "aws.guardduty.feature", into: &f)
        let sample = g.bool("service.additionalInfo.sample") == true
        if sample { f["aws.guardduty.sample"] = true }
        for (path, key) in [("service.eventFirstSeen", "event.start"), ("service.eventLastSeen", "event.end"), ("createdAt", "event.created")] {
            if let t = g.string(path).flatMap(Timestamp.init(parsing:)) { f[key] = JSONValue(t) }
        }

        // The resource: an instance (its interfaces' addresses and names), an access key's user,
        // a cluster, a container, a bucket.
        var hostIPs: [String] = []
        var privateIP: String?
        if case .object? = g.at("resource.instanceDetails") {
            ECS.copy(g, "resource.instanceDetails.instanceId", to: "cloud.instance.id", into: &f)
            for nic in g.at("resource.instanceDetails.networkInterfaces")?.arrayValue ?? [] {
                let addresses = [nic.string("privateIpAddress")]
                    + (nic.at("privateIpAddresses")?.arrayValue ?? []).map { $0.string("privateIpAddress") } + [nic.string("publicIp")]
                for ip in addresses.compactMap({ $0 }) where VendorJSON.isIP(ip) && !hostIPs.contains(ip) { hostIPs.append(ip) }
                privateIP = privateIP ?? nic.string("privateIpAddress")
                if f["host.name"] == nil, let dns = nic.string("privateDnsName") { f["host.name"] = .string(dns) }
            }
            if let tags = g.at("resource.instanceDetails.tags")?.arrayValue,
               let name = tags.first(where: { $0.string("key") == "Name" })?.string("value")
            {
                f["cloud.instance.name"] = .string(name)
            }
        }
        if !hostIPs.isEmpty { f["host.ip"] = .array(hostIPs.map { .string($0) }) }
        ECS.user(g.string("resource.accessKeyDetails.userName"), into: &f)
        ECS.copy(g, "resource.accessKeyDetails.accessKeyId", to: "aws.guardduty.access_key_id", into: &f)
        ECS.copy(g, "resource.accessKeyDetails.userType", to: "aws.guardduty.user_type", into: &f)
        if f["user.name"] == nil { ECS.user(g.string("resource.kubernetesDetails.kubernetesUserDetails.username"), into: &f) }
        ECS.copy(g, "resource.eksClusterDetails.name", to: "orchestrator.cluster.name", into: &f)
        ECS.copy(g, "resource.containerDetails.id", to: "container.id", into: &f)
        ECS.copy(g, "resource.containerDetails.image", to: "container.image.name", into: &f)
        ECS.copy(g, "resource.s3BucketDetails.0.name", to: "aws.guardduty.s3_bucket", into: &f)
        // Runtime Monitoring and Malware Protection: processes, files, hashes, libraries.
        let indicators = GuardDutyIndicators(g)
        for (key, value) in indicators.fields where f[key] == nil { f[key] = value }

        // The action: who talked to whom. Inbound connections and probes come from the remote
        // address; outbound connections and DNS requests go from the instance.
        let action = g.at("service.action") ?? .object([:])
        func remote(_ details: JSONValue?, as side: String) {
            guard let details else { return }
            if let ip = details.string("ipAddressV4") ?? details.string("ipAddressV6") { f["\(side).ip"] = .string(ip) }
            ECS.copy(details, "country.countryName", to: "\(side).geo.country_name", into: &f)
            ECS.copy(details, "city.cityName", to: "\(side).geo.city_name", into: &f)
            ECS.int(details, "organization.asn", to: "\(side).as.number", into: &f)
            ECS.copy(details, "organization.asnOrg", to: "\(side).as.organization.name", into: &f)
        }
        switch g.string("service.action.actionType") {
        case "NETWORK_CONNECTION":
            let nca = action.at("networkConnectionAction") ?? .object([:])
            let inbound = nca.string("connectionDirection") == "INBOUND"
            let (local, far) = inbound ? ("destination", "source") : ("source", "destination")
            remote(nca.at("remoteIpDetails"), as: far)
            ECS.int(nca, "remotePortDetails.port", to: "\(far).port", into: &f)
            if let ip = nca.string("localIpDetails.ipAddressV4") ?? privateIP { f["\(local).ip"] = .string(ip) }
            ECS.int(nca, "localPortDetails.port", to: "\(local).port", into: &f)
            if let proto = nca.string("protocol") { f["network.transport"] = .string(proto.lowercased()) }
            if let dir = nca.string("connectionDirection") { f["network.direction"] = .string(dir.lowercased()) }
            ECS.copy(nca, "blocked", to: "aws.guardduty.blocked", into: &f)
        case "PORT_PROBE":
            let probes = action.at("portProbeAction.portProbeDetails")?.arrayValue ?? []
            remote(probes.first?.at("remoteIpDetails"), as: "source")
            if let ip = probes.first?.string("localIpDetails.ipAddressV4") ?? privateIP { f["destination.ip"] = .string(ip) }
            ECS.int(probes.first ?? .null, "localPortDetails.port", to: "destination.port", into: &f)
            let ports = probes.compactMap { $0.int("localPortDetails.port") }
            if ports.count > 1 { f["aws.guardduty.probed_ports"] = .array(ports.map { .int($0) }) }
            let prober = probes.compactMap { $0.string("remoteIpDetails.ipAddressV4") }
            if Set(prober).count > 1 { f["related.ip"] = .array(prober.map { .string($0) }) }
            ECS.copy(action, "portProbeAction.blocked", to: "aws.guardduty.blocked", into: &f)
        case "AWS_API_CALL":
            let call = action.at("awsApiCallAction") ?? .object([:])
            remote(call.at("remoteIpDetails"), as: "source")
            ECS.copy(call, "domainDetails.domain", to: "source.domain", into: &f)
            ECS.copy(call, "api", to: "aws.guardduty.api", into: &f)
            ECS.copy(call, "serviceName", to: "event.provider", into: &f)
            ECS.copy(call, "callerType", to: "aws.guardduty.caller_type", into: &f)
            ECS.copy(call, "errorCode", to: "error.code", into: &f)
            ECS.copy(call, "userAgent.fullUserAgent", to: "user_agent.original", into: &f)
        case "DNS_REQUEST":
            let request = action.at("dnsRequestAction") ?? .object([:])
            if let domain = request.string("domain") { f["dns.question.name"] = .string(VendorJSON.hostname(domain).lowercased()) }
            if let proto = request.string("protocol") { f["network.transport"] = .string(proto.lowercased()) }
            if let ip = privateIP { f["source.ip"] = .string(ip) }
            ECS.copy(request, "blocked", to: "aws.guardduty.blocked", into: &f)
        default:
            // KUBERNETES_API_CALL, RDS_LOGIN_ATTEMPT and later types: each names its caller in
            // a remoteIpDetails of its own.
            for (_, detail) in action.objectValue ?? [:] where detail.at("remoteIpDetails") != nil {
                remote(detail.at("remoteIpDetails"), as: "source")
                ECS.copy(detail, "requestUri", to: "url.path", into: &f)
                ECS.copy(detail, "verb", to: "http.request.method", into: &f)
            }
        }

        var title = g.string("title") ?? type
        if sample, !title.hasPrefix("[SAMPLE]") { title = "[SAMPLE] " + title }
        return [Normalized(
            time: time, source: "guardduty", sourceRef: id, kind: .guardDuty, severity: GuardDutyFormat.severity(score),
            title: title, fields: f, raw: record.raw, artifacts: indicators.artifacts,
            texts: [g.string("description")].compactMap { $0 } + indicators.texts)]
    }

    static func severity(_ score: Double) -> Severity {
        switch score {
        case 9...: .critical
        case 7..<9: .high
        case 4..<7: .medium
        case 1..<4: .low
        default: .info
        }
    }
}
