import Model

/// The indicators of GuardDuty's Runtime Monitoring and Malware Protection findings, which live
/// outside `service.action`:
/// - `service.runtimeDetails.process`: the process (name, executable path and SHA-256, pid,
///   user, working directory) and its `lineage` of ancestors;
/// - `service.runtimeDetails.context`: what the process did or touched, by finding type: the
///   modifying and target processes, script, library (`libraryPath`, `ldPreloadValue`), kernel
///   module (path, SHA-256), threat file, socket, runc binary, release agent, shell history,
///   mount source and target, tool name; `commandLineExample` is read as text, for its URLs;
/// - `service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames[]` (EC2 and
///   EBS malware scans) and `service.malwareScanDetails.threats[]` (Malware Protection for S3
///   and on-demand scans): each threat's name and the paths and hashes of the infected files;
/// - `resource.s3BucketDetails[].s3ObjectDetails[]`: a scanned object's hash.
///
/// ECS fields where ECS has them (process.*, dll.*, file.*, threat.software.name); every path,
/// hash and name is an artifact with a role saying what it was (process, parent, library,
/// module, script, malware, ...).
struct GuardDutyIndicators {
    var fields: JSONObject = [:]
    var artifacts: [ArtifactMention] = []
    var texts: [String] = []

    init(_ g: JSONValue) {
        runtime(g.at("service.runtimeDetails"))
        malware(g)
    }

    private mutating func add(_ type: ArtifactType, _ value: String?, role: String) {
        guard let m = ECS.mention(type, value, role: role), !artifacts.contains(m) else { return }
        artifacts.append(m)
    }

    /// A process object as GuardDuty writes it (`name`, `executablePath`, `executableSha256`).
    private mutating func process(_ p: JSONValue?, role: String) {
        guard let p else { return }
        add(.filename, p.string("name"), role: role)
        add(.filepath, p.string("executablePath"), role: role)
        add(.sha256, p.string("executableSha256"), role: role)
    }

    private mutating func set(_ key: String, _ value: String?) {
        guard let value, !ECS.meansAbsent(value), fields[key] == nil else { return }
        fields[key] = .string(value)
    }

    private mutating func runtime(_ r: JSONValue?) {
        guard let r else { return }
        if let p = r.at("process") {
            set("process.name", p.string("name"))
            set("process.executable", p.string("executablePath"))
            set("process.hash.sha256", p.string("executableSha256"))
            if let pid = p.int("pid") { fields["process.pid"] = .int(pid) }
            set("process.user.name", p.string("user"))
            if let uid = p.string("userId") { set("process.user.id", uid) }
            set("process.working_directory", p.string("pwd"))
            process(p, role: "process")
            let lineage = p.at("lineage")?.arrayValue ?? []
            // The lineage runs from the parent up.
            if let parent = lineage.first {
                set("process.parent.name", parent.string("name"))
                set("process.parent.executable", parent.string("executablePath"))
                if let pid = parent.int("pid") { fields["process.parent.pid"] = .int(pid) }
            }
            for ancestor in lineage { process(ancestor, role: "parent") }
        }
        guard let c = r.at("context") else { return }
        process(c.at("modifyingProcess"), role: "modifying_process")
        process(c.at("targetProcess"), role: "target_process")
        if let library = c.string("libraryPath") {
            set("dll.path", library)
            set("dll.name", VendorJSON.basename(library))
            add(.filepath, library, role: "library")
        }
        // LD_PRELOAD is a list, separated by colons or spaces.
        for path in (c.string("ldPreloadValue") ?? "").split(whereSeparator: { $0 == ":" || $0 == " " }) {
            add(.filepath, String(path), role: "library")
        }
        add(.filepath, c.string("moduleFilePath"), role: "module")
        add(.sha256, c.string("moduleSha256"), role: "module")
        if let threat = c.string("threatFilePath") {
            set("file.path", threat)
            set("file.name", VendorJSON.basename(threat))
            add(.filepath, threat, role: "malware")
        }
        for (key, role) in [("scriptPath", "script"), ("socketPath", "socket"), ("runcBinaryPath", "runc"),
                            ("releaseAgentPath", "release_agent"), ("shellHistoryFilePath", "shell_history"),
                            ("mountSource", "mount_source"), ("mountTarget", "mount_target")] {
            add(.filepath, c.string(key), role: role)
        }
        set("threat.software.name", c.string("toolName"))
        if let example = c.string("commandLineExample") { texts.append(example) }
    }

    private mutating func malware(_ g: JSONValue) {
        var threatNames: [String] = []
        func file(path: String?, hash: String?, name: String?) {
            if fields["file.path"] == nil, let path, !ECS.meansAbsent(path) {
                fields["file.path"] = .string(path)
                set("file.name", name ?? VendorJSON.basename(path))
                set("file.hash.sha256", hash)
            }
            add(.filepath, path, role: "malware")
            add(.filename, name, role: "malware")
            add(.sha256, hash, role: "malware")
        }
        let detections = "service.ebsVolumeScanDetails.scanDetections"
        for threat in g.at("\(detections).threatDetectedByName.threatNames")?.arrayValue ?? [] {
            if let name = threat.string("name") { threatNames.append(name) }
            for p in threat.at("filePaths")?.arrayValue ?? [] {
                file(path: p.string("filePath"), hash: p.string("hash"), name: p.string("fileName"))
            }
        }
        if let top = g.string("\(detections).highestSeverityThreatDetails.threatName"), !threatNames.contains(top) {
            threatNames.insert(top, at: 0)
        }
        for threat in g.at("service.malwareScanDetails.threats")?.arrayValue ?? [] {
            if let name = threat.string("name"), !threatNames.contains(name) { threatNames.append(name) }
            for p in threat.at("itemPaths")?.arrayValue ?? [] {
                file(path: p.string("nestedItemPath"), hash: p.string("hash"), name: nil)
            }
        }
        for bucket in g.at("resource.s3BucketDetails")?.arrayValue ?? [] {
            for object in bucket.at("s3ObjectDetails")?.arrayValue ?? [] {
                add(.sha256, object.string("hash"), role: "malware")
            }
        }
        if !threatNames.isEmpty {
            fields["aws.guardduty.malware.threat_names"] = .array(threatNames.map { .string($0) })
            set("threat.software.name", threatNames.first)
        }
        if let scan = g.string("service.ebsVolumeScanDetails.scanId") { fields["aws.guardduty.malware.scan_id"] = .string(scan) }
    }
}
