import Model

/// Signals as the vendors report them: each raw body follows the vendor's documented shape
/// (Okta System Log, Duo Admin API v2 authentication log, Carbon Black Cloud alerts v7, Suricata
/// EVE, CloudTrail records, GuardDuty findings); `fields` carry the ECS names, keys pre-sorted so
/// the text is canonical without a sort per signal. World strings hold no characters that need
/// JSON escaping, so the bodies are built by interpolation (this is the hot path of `demo`).
struct DemoSignals {
    var world: DemoWorld
    var rng: DemoRandom

    private func ingested(_ t: Timestamp, _ r: inout DemoRandom) -> Timestamp { Timestamp(ms: t.ms + Int64(r.between(800, 30_000))) }

    // MARK: Okta

    enum OktaLogin { case normal, newLocation(DemoWorld.Place, ip: String), failed }

    mutating func okta(_ p: DemoWorld.Person, at t: Timestamp, _ what: OktaLogin) -> NewSignal {
        let uuid = rng.uuid()
        var place = p.city, ip = p.homeIP, newGeo = "NEGATIVE", kind = SignalKind.oktaLogin, result = "SUCCESS"
        var severity = Severity.info, title = "SSO login by \(p.login)", event = "user.session.start"
        var reason = "null"
        switch what {
        case .normal: break
        case .newLocation(let where_, let from):
            place = where_; ip = from; newGeo = "POSITIVE"; kind = .oktaNewLocation; severity = .medium
            title = "SSO login by \(p.login) from a new location (\(where_.city), \(where_.country))"
        case .failed:
            kind = .oktaLoginFailed; result = "FAILURE"; severity = .low; reason = "\"INVALID_CREDENTIALS\""
            title = "Failed SSO login by \(p.login)"
        }
        let iso = t.iso8601
        let raw = """
            {"uuid":"\(uuid)","published":"\(iso)","eventType":"\(event)","version":"0","severity":"\(result == "SUCCESS" ? "INFO" : "WARN")",\
            "legacyEventType":"core.user_auth.login_\(result == "SUCCESS" ? "success" : "failed")","displayMessage":"User login to Okta",\
            "actor":{"id":"00u\(p.laptop.deviceID)","type":"User","alternateId":"\(p.email)","displayName":"\(p.name)"},\
            "client":{"userAgent":{"rawUserAgent":"\(p.userAgent)","os":"\(p.os)","browser":"CHROME"},"zone":"null","device":"Computer",\
            "ipAddress":"\(ip)","geographicalContext":{"city":"\(place.city)","state":"\(place.region)","country":"\(place.country)",\
            "geolocation":{"lat":\(place.lat),"lon":\(place.lon)}}},"outcome":{"result":"\(result)","reason":\(reason)},\
            "transaction":{"type":"WEB","id":"\(uuid.prefix(20))"},"debugContext":{"debugData":{"requestUri":"/idp/idx/identify",\
            "behaviors":"{New Geo-Location=\(newGeo), New Device=NEGATIVE, New IP=\(newGeo), Velocity=NEGATIVE}"}},\
            "authenticationContext":{"authenticationStep":0,"externalSessionId":"102\(uuid.suffix(12))"}}
            """
        let fields = """
            {"event.action":"\(event)","event.outcome":"\(result.lowercased())","okta.new_geo_location":\(newGeo == "POSITIVE"),\
            "source.geo.city_name":"\(place.city)","source.geo.country_iso_code":"\(place.iso)","source.ip":"\(ip)",\
            "user.email":"\(p.email)","user.name":"\(p.login)","user_agent.original":"\(p.userAgent)"}
            """
        return NewSignal(
            time: t, source: "okta", sourceRef: uuid, kind: kind.name, severity: severity, title: title, fieldsJSON: fields,
            raw: raw,
            artifacts: [
                ArtifactMention(.user, p.login, role: "user"), ArtifactMention(.email, p.email, role: "user"),
                ArtifactMention(.ip, ip, role: "src"), ArtifactMention(.userAgent, p.userAgent, role: "src"),
            ],
            ingestedAt: ingested(t, &rng))
    }

    // MARK: Duo

    enum DuoResult { case approved, fraud, denied, timeout }

    mutating func duo(_ p: DemoWorld.Person, at t: Timestamp, _ result: DuoResult, from place: DemoWorld.Place? = nil, ip: String? = nil) -> NewSignal {
        let txid = rng.uuid()
        let place = place ?? p.city, ip = ip ?? p.homeIP
        let (outcome, reason, kind, severity, title): (String, String, SignalKind, Severity, String) =
            switch result {
            case .approved: ("success", "user_approved", .duoAuth, .info, "Duo push approved by \(p.login)")
            case .fraud: ("fraud", "user_marked_fraud", .duoPushFailed, .high, "Duo push marked as fraud by \(p.login)")
            case .denied: ("denied", "user_cancelled", .duoPushFailed, .medium, "Duo push denied by \(p.login)")
            case .timeout: ("denied", "no_response", .duoPushFailed, .medium, "Duo push to \(p.login) timed out")
            }
        let raw = """
            {"access_device":{"browser":"Chrome","ip":"\(ip)","location":{"city":"\(place.city)","country":"\(place.country)",\
            "state":"\(place.region)"},"os":"\(p.os)"},"application":{"key":"DIY8QMRTKXOCE5BEN0AA","name":"Okta"},\
            "auth_device":{"ip":"\(p.homeIP)","location":{"city":"\(p.city.city)","country":"\(p.city.country)","state":"\(p.city.region)"},\
            "name":"iPhone (\(p.laptop.deviceID % 10000))"},"event_type":"authentication","factor":"duo_push",\
            "isotimestamp":"\(t.iso8601)","reason":"\(reason)","result":"\(outcome)","timestamp":\(t.ms / 1000),"txid":"\(txid)",\
            "user":{"key":"DU\(p.laptop.deviceID)","name":"\(p.login)","groups":["\(p.department)"]}}
            """
        let fields = """
            {"duo.factor":"push","duo.reason":"\(reason)","duo.result":"\(outcome)","event.action":"authentication",\
            "event.outcome":"\(outcome == "success" ? "success" : "failure")",\
            "factor":"push","source.geo.city_name":"\(place.city)","source.geo.country_iso_code":"\(place.iso)","source.ip":"\(ip)",\
            "user.name":"\(p.login)"}
            """
        return NewSignal(
            time: t, source: "duo", sourceRef: txid, kind: kind.name, severity: severity, title: title, fieldsJSON: fields,
            raw: raw,
            artifacts: [ArtifactMention(.user, p.login, role: "user"), ArtifactMention(.ip, ip, role: "src")],
            ingestedAt: ingested(t, &rng))
    }

    // MARK: Carbon Black Cloud

    static let threats: [(reason: String, process: String, ttp: String, severity: Int)] = [
        ("A known virus (Trojan: Emotet) was detected running.", "rundll32.exe", "KNOWN_MALWARE", 8),
        ("Powershell attempted to download a file from the internet.", "powershell.exe", "ATTEMPTED_CLIENT", 6),
        ("A process injected code into lsass.exe.", "procdump64.exe", "CREDENTIAL_DUMP", 9),
        ("An unsigned binary was executed from a temporary folder.", "invoice_8812.exe", "SUSPICIOUS_BEHAVIOR", 5),
        ("Office application spawned a command shell.", "winword.exe", "MITRE_T1204_USER_EXEC", 7),
    ]

    mutating func carbonBlack(_ host: DemoWorld.Host, user: String, at t: Timestamp, threat: Int, hash: String) -> NewSignal {
        let id = rng.uuid()
        let th = DemoSignals.threats[threat]
        let severity: Severity = th.severity >= 8 ? .critical : th.severity >= 6 ? .high : .medium
        let iso = t.iso8601
        let raw = """
            {"id":"\(id)","type":"CB_ANALYTICS","org_key":"7DESJ9GN","backend_timestamp":"\(iso)","first_event_timestamp":"\(iso)",\
            "last_event_timestamp":"\(iso)","severity":\(th.severity),"reason":"\(th.reason)","reason_code":"R_\(th.ttp)",\
            "threat_id":"\(hash.prefix(32))","device_id":\(host.deviceID),"device_name":"\(host.name)","device_os":"\(host.os)",\
            "device_username":"\(user)","device_internal_ip":"\(host.ip)","process_name":"\(th.process)","process_sha256":"\(hash)",\
            "policy_name":"Standard","run_state":"RAN","sensor_action":"DENY","ttps":["\(th.ttp)"],"workflow":{"status":"OPEN"}}
            """
        let fields = """
            {"cbc.reason":"\(th.reason)","cbc.severity":\(th.severity),"event.action":"\(th.ttp)","file.hash.sha256":"\(hash)",\
            "host.ip":"\(host.ip)","host.name":"\(host.name)","process.name":"\(th.process)","user.name":"\(user)"}
            """
        return NewSignal(
            time: t, source: "carbonblack", sourceRef: id, kind: SignalKind.carbonBlackAlert.name, severity: severity,
            title: "\(th.reason) (\(host.name))", fieldsJSON: fields, raw: raw,
            artifacts: [
                ArtifactMention(.host, host.name, role: "host"), ArtifactMention(.ip, host.ip, role: "host"),
                ArtifactMention(.user, user, role: "user"), ArtifactMention(.sha256, hash, role: "file"),
                ArtifactMention(.filename, th.process, role: "process"),
            ],
            ingestedAt: ingested(t, &rng))
    }

    // MARK: Suricata

    private func eveTime(_ t: Timestamp) -> String {
        var iso = t.iso8601
        iso.removeLast()  // Z
        return iso + "000+0000"
    }

    mutating func idsAlert(src: String, srcPort: Int, dst: String, dstPort: Int, at t: Timestamp, signature: (id: Int, text: String, category: String)) -> NewSignal {
        let flow = rng.next() >> 13
        let raw = """
            {"timestamp":"\(eveTime(t))","flow_id":\(flow),"in_iface":"eth1","event_type":"alert","src_ip":"\(src)",\
            "src_port":\(srcPort),"dest_ip":"\(dst)","dest_port":\(dstPort),"proto":"TCP","alert":{"action":"allowed","gid":1,\
            "signature_id":\(signature.id),"rev":7,"signature":"\(signature.text)","category":"\(signature.category)","severity":2},\
            "host":"ids-01"}
            """
        let fields = """
            {"destination.ip":"\(dst)","destination.port":\(dstPort),"event.action":"alert","network.transport":"tcp",\
            "rule.id":\(signature.id),"rule.name":"\(signature.text)","source.ip":"\(src)","source.port":\(srcPort)}
            """
        return NewSignal(
            time: t, source: "suricata", sourceRef: "\(flow)-\(signature.id)", kind: SignalKind.idsAlert.name, severity: .medium,
            title: "\(signature.text): \(src) → \(dst):\(dstPort)", fieldsJSON: fields, raw: raw,
            artifacts: [ArtifactMention(.ip, src, role: "src"), ArtifactMention(.ip, dst, role: "dst")],
            ingestedAt: ingested(t, &rng))
    }

    mutating func dns(_ p: DemoWorld.Person, at t: Timestamp, name: String) -> NewSignal {
        let flow = rng.next() >> 13
        let raw = """
            {"timestamp":"\(eveTime(t))","flow_id":\(flow),"event_type":"dns","src_ip":"\(p.laptop.ip)","src_port":\(rng.between(1024, 65000)),\
            "dest_ip":"10.0.0.2","dest_port":53,"proto":"UDP","dns":{"type":"query","id":\(rng.below(65535)),"rrname":"\(name)",\
            "rrtype":"A","tx_id":0},"host":"ids-01"}
            """
        let fields = """
            {"destination.ip":"10.0.0.2","destination.port":53,"dns.question.name":"\(name)","dns.question.type":"A",\
            "event.action":"dns","source.ip":"\(p.laptop.ip)"}
            """
        return NewSignal(
            time: t, source: "suricata", sourceRef: "\(flow)-dns", kind: SignalKind.idsDNS.name, severity: .info,
            title: "DNS query for \(name)", fieldsJSON: fields, raw: raw,
            artifacts: [ArtifactMention(.ip, p.laptop.ip, role: "src"), ArtifactMention(.domain, name, role: "dst")],
            ingestedAt: ingested(t, &rng))
    }

    mutating func http(_ p: DemoWorld.Person, at t: Timestamp, host name: String) -> NewSignal {
        let flow = rng.next() >> 13
        let dst = "\(rng.pick(DemoWorld.ispPrefixes)).\(rng.between(1, 254)).\(rng.between(1, 254))"
        let path = rng.pick(["/", "/login", "/api/v1/status", "/assets/app.js", "/favicon.ico", "/downloads/update.zip"])
        let status = rng.chance(0.9) ? 200 : rng.pick([301, 304, 404, 500])
        let raw = """
            {"timestamp":"\(eveTime(t))","flow_id":\(flow),"event_type":"http","src_ip":"\(p.laptop.ip)","src_port":\(rng.between(1024, 65000)),\
            "dest_ip":"\(dst)","dest_port":80,"proto":"TCP","http":{"hostname":"\(name)","url":"\(path)","http_user_agent":"\(p.userAgent)",\
            "http_method":"GET","protocol":"HTTP/1.1","status":\(status),"length":\(rng.between(200, 90000))},"host":"ids-01"}
            """
        let fields = """
            {"destination.ip":"\(dst)","destination.port":80,"event.action":"http","http.request.method":"GET",\
            "http.response.status_code":\(status),"source.ip":"\(p.laptop.ip)","url.domain":"\(name)","url.path":"\(path)",\
            "user_agent.original":"\(p.userAgent)"}
            """
        return NewSignal(
            time: t, source: "suricata", sourceRef: "\(flow)-http", kind: SignalKind.idsHTTP.name, severity: .info,
            title: "GET http://\(name)\(path)", fieldsJSON: fields, raw: raw,
            artifacts: [
                ArtifactMention(.ip, p.laptop.ip, role: "src"), ArtifactMention(.ip, dst, role: "dst"),
                ArtifactMention(.domain, name, role: "dst"), ArtifactMention(.url, "http://\(name)\(path)", role: "url"),
            ],
            ingestedAt: ingested(t, &rng))
    }

    mutating func tls(_ p: DemoWorld.Person, at t: Timestamp, sni: String) -> NewSignal {
        let flow = rng.next() >> 13
        let dst = "\(rng.pick(DemoWorld.ispPrefixes)).\(rng.between(1, 254)).\(rng.between(1, 254))"
        let ja3 = rng.hex(32)
        let raw = """
            {"timestamp":"\(eveTime(t))","flow_id":\(flow),"event_type":"tls","src_ip":"\(p.laptop.ip)","src_port":\(rng.between(1024, 65000)),\
            "dest_ip":"\(dst)","dest_port":443,"proto":"TCP","tls":{"subject":"CN=\(sni)","issuerdn":"C=US, O=Let's Encrypt, CN=R11",\
            "sni":"\(sni)","version":"TLS 1.3","ja3":{"hash":"\(ja3)"}},"host":"ids-01"}
            """
        let fields = """
            {"destination.domain":"\(sni)","destination.ip":"\(dst)","destination.port":443,"event.action":"tls",\
            "source.ip":"\(p.laptop.ip)","tls.client.ja3":"\(ja3)","tls.version":"1.3"}
            """
        return NewSignal(
            time: t, source: "suricata", sourceRef: "\(flow)-tls", kind: SignalKind.idsTLS.name, severity: .info,
            title: "TLS to \(sni)", fieldsJSON: fields, raw: raw,
            artifacts: [
                ArtifactMention(.ip, p.laptop.ip, role: "src"), ArtifactMention(.ip, dst, role: "dst"),
                ArtifactMention(.domain, sni, role: "dst"),
            ],
            ingestedAt: ingested(t, &rng))
    }

    // MARK: AWS

    static let apiCalls: [(source: String, name: String, readOnly: Bool)] = [
        ("s3.amazonaws.com", "GetObject", true), ("s3.amazonaws.com", "PutObject", false),
        ("ec2.amazonaws.com", "DescribeInstances", true), ("iam.amazonaws.com", "ListRoles", true),
        ("sts.amazonaws.com", "AssumeRole", true), ("lambda.amazonaws.com", "Invoke", false),
        ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false), ("kms.amazonaws.com", "Decrypt", true),
    ]

    mutating func cloudTrail(_ p: DemoWorld.Person, at t: Timestamp, consoleLogin: Bool = false) -> NewSignal {
        let id = rng.uuid()
        let call = consoleLogin ? ("signin.amazonaws.com", "ConsoleLogin", false) : rng.pick(DemoSignals.apiCalls)
        let region = rng.pick(["us-east-1", "us-west-2", "eu-west-1"])
        let agent = consoleLogin ? p.userAgent : rng.pick(["aws-cli/2.15.30 Python/3.11.8", "Boto3/1.34.0 Python/3.11", "terraform/1.7.5"])
        let raw = """
            {"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDA\(p.laptop.deviceID)","arn":"arn:aws:iam::\(DemoWorld.awsAccount):user/\(p.login)",\
            "accountId":"\(DemoWorld.awsAccount)","userName":"\(p.login)"},"eventTime":"\(t.iso8601.prefix(19))Z","eventSource":"\(call.0)",\
            "eventName":"\(call.1)","awsRegion":"\(region)","sourceIPAddress":"\(p.homeIP)","userAgent":"\(agent)",\
            "requestParameters":null,"responseElements":\(consoleLogin ? "{\"ConsoleLogin\":\"Success\"}" : "null"),\
            "requestID":"\(rng.hex(16))","eventID":"\(id)","readOnly":\(call.2),"eventType":"\(consoleLogin ? "AwsConsoleSignIn" : "AwsApiCall")",\
            "managementEvent":true,"recipientAccountId":"\(DemoWorld.awsAccount)","eventCategory":"Management"}
            """
        let fields = """
            {"cloud.account.id":"\(DemoWorld.awsAccount)","cloud.region":"\(region)","event.action":"\(call.1)",\
            "event.provider":"\(call.0)","source.ip":"\(p.homeIP)","user.name":"\(p.login)","user_agent.original":"\(agent)"}
            """
        let kind = consoleLogin ? SignalKind.consoleLogin : SignalKind.cloudTrail
        return NewSignal(
            time: t, source: "cloudtrail", sourceRef: id, kind: kind.name, severity: .info,
            title: "\(call.1) by \(p.login)", fieldsJSON: fields, raw: raw,
            artifacts: [ArtifactMention(.user, p.login, role: "user"), ArtifactMention(.ip, p.homeIP, role: "src")],
            ingestedAt: ingested(t, &rng))
    }

    mutating func guardDuty(_ server: DemoWorld.Host, from attacker: String, port: Int, at t: Timestamp, count: Int) -> NewSignal {
        let id = rng.hex(32)
        let instance = "i-0\(rng.hex(16))"
        let iso = t.iso8601
        let title = "Unprotected port on EC2 instance \(instance) is being probed."
        let raw = """
            {"schemaVersion":"2.0","accountId":"\(DemoWorld.awsAccount)","region":"us-east-1","partition":"aws","id":"\(id)",\
            "arn":"arn:aws:guardduty:us-east-1:\(DemoWorld.awsAccount):detector/12abc34d567e8fa901bc2d34e56789f0/finding/\(id)",\
            "type":"Recon:EC2/PortProbeUnprotectedPort","resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"\(instance)",\
            "networkInterfaces":[{"privateIpAddress":"\(server.ip)","privateDnsName":"\(server.name)"}]}},"service":{"serviceName":"guardduty",\
            "action":{"actionType":"PORT_PROBE","portProbeAction":{"blocked":false,"portProbeDetails":[{"localPortDetails":{"port":\(port),\
            "portName":"SSH"},"remoteIpDetails":{"ipAddressV4":"\(attacker)","country":{"countryName":"Netherlands"}}}]}},\
            "count":\(count),"eventFirstSeen":"\(iso)","eventLastSeen":"\(iso)"},"severity":5,"createdAt":"\(iso)","updatedAt":"\(iso)",\
            "title":"\(title)","description":"EC2 instance has an unprotected port which is being probed by a known malicious host."}
            """
        let fields = """
            {"cloud.account.id":"\(DemoWorld.awsAccount)","cloud.instance.id":"\(instance)","destination.ip":"\(server.ip)",\
            "destination.port":\(port),"event.action":"Recon:EC2/PortProbeUnprotectedPort","host.name":"\(server.name)",\
            "source.ip":"\(attacker)"}
            """
        return NewSignal(
            time: t, source: "guardduty", sourceRef: id, kind: SignalKind.guardDuty.name, severity: .medium, title: title,
            fieldsJSON: fields, raw: raw,
            artifacts: [
                ArtifactMention(.ip, attacker, role: "src"), ArtifactMention(.ip, server.ip, role: "dst"),
                ArtifactMention(.host, server.name, role: "host"),
            ],
            ingestedAt: ingested(t, &rng))
    }
}
