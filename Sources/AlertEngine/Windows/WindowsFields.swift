import Model

/// A Windows event's signal fields: every System and event-data value under its own name (so a
/// Sigma rule's `Image|endswith` reads the event as Windows wrote it), and ECS names beside
/// them for taser's rules, pivots and the console (`process.command_line`, `host.name`, ...).
enum WindowsFields {
    /// Logons and Kerberos events, whose subject is the account in TargetUserName.
    static let logonEvents: Set<Int> = [4624, 4625, 4634, 4647, 4648, 4768, 4769, 4770, 4771, 4776, 4778, 4779]

    /// The ECS names written for every event, with their tags worked out once.
    fileprivate enum K {
        static let eventCode = JSONKey("event.code"), eventProvider = JSONKey("event.provider")
        static let winlogChannel = JSONKey("winlog.channel"), hostName = JSONKey("host.name")
        static let recordID = JSONKey("winlog.record_id"), message = JSONKey("message")
        static let processExecutable = JSONKey("process.executable"), processName = JSONKey("process.name")
        static let image = JSONKey("Image"), parentImage = JSONKey("ParentImage")
        static let processCommandLine = JSONKey("process.command_line")
        static let parentExecutable = JSONKey("process.parent.executable"), parentName = JSONKey("process.parent.name")
        static let parentCommandLine = JSONKey("process.parent.command_line")
        static let pid = JSONKey("process.pid"), parentPid = JSONKey("process.parent.pid")
        static let entityID = JSONKey("process.entity_id"), workingDirectory = JSONKey("process.working_directory")
        static let originalFileName = JSONKey("process.pe.original_file_name")
        static let userDomain = JSONKey("user.domain"), userID = JSONKey("user.id")
        static let logonType = JSONKey("winlog.logon.type")
        static let sourceIP = JSONKey("source.ip"), sourcePort = JSONKey("source.port")
        static let destinationIP = JSONKey("destination.ip"), destinationPort = JSONKey("destination.port")
        static let destinationDomain = JSONKey("destination.domain"), sourceDomain = JSONKey("source.domain")
        static let transport = JSONKey("network.transport"), dnsName = JSONKey("dns.question.name")
        static let filePath = JSONKey("file.path"), fileName = JSONKey("file.name")
        static let registryPath = JSONKey("registry.path"), registryData = JSONKey("registry.data.strings")
        static let serviceName = JSONKey("service.name"), serviceExecutable = JSONKey("service.executable")
        static let scriptBlock = JSONKey("powershell.file.script_block_text"), taskName = JSONKey("winlog.task_name")
        static let securityUserID = JSONKey("Security_UserID")
        static let processHashes = HashKeys(owner: "process"), fileHashes = HashKeys(owner: "file")
    }

    /// `<owner>.hash.md5`, `.hash.sha1`, `.hash.sha256` and `.pe.imphash`.
    fileprivate struct HashKeys {
        let md5, sha1, sha256, imphash: JSONKey

        init(owner: String) {
            md5 = JSONKey("\(owner).hash.md5")
            sha1 = JSONKey("\(owner).hash.sha1")
            sha256 = JSONKey("\(owner).hash.sha256")
            imphash = JSONKey("\(owner).pe.imphash")
        }

        func key(_ algorithm: String) -> JSONKey? {
            switch algorithm {
            case "md5": md5
            case "sha1": sha1
            case "sha256": sha256
            case "imphash": imphash
            default: nil
            }
        }
    }

    /// The fields of an event of the kind `kind`: its own, then the ECS names derived from them.
    static func fields(_ event: WindowsEvent, kind: SignalKind) -> JSONObject {
        // Taken apart, so that the fields are the only reference to their members when the
        // ECS names are added (a copy left in the tuple made the first write copy them all).
        let (own, derived) = ownFields(event, kind: kind)
        var f = consume own
        derived.add(to: &f)
        return f
    }

    /// The names `WindowsECS` derives. A data (or System) key of one of them is written over
    /// by the ECS value, so such an event has its ECS names added at once, never later.
    static let derivedNames = JSONKeySet(WindowsECS.sources.keys)

    /// The event's own fields: every System and event-data value under its own name (data of
    /// a System name as `EventData_<name>`, spaced names also without their spaces), 4688's
    /// process under Sysmon's names, and the rendered message; with what derives the ECS names
    /// from them (not `fresh` when a key already has a derived name: `derivedNames`), which
    /// holds the event data's values by name (`WindowsData`, found in the same pass over the
    /// data) and the kind (`kind`, or `WindowsKinds`' for the event).
    /// The System part becomes the fields: moved out of the event, not copied (a copy retained
    /// each of its members, and the event's release released them again), so what is read of
    /// it is read first.
    /// `read`: the event's `eventID` and `channel`, when the caller has read them already
    /// (each is a look-up among System's members).
    static func ownFields(
        _ event: consuming WindowsEvent, kind given: SignalKind? = nil, read: (eventID: Int?, channel: String?)? = nil
    ) -> (fields: JSONObject, derived: WindowsECS) {
        let (eventID, channel) = read ?? (event.eventID, event.channel)
        let message = event.message, provider = event.provider
        // The record number as read: its text is made only if its ECS name is added.
        let computer = event.computer, recordID = event.recordValue, systemUserID = event.system[K.securityUserID]?.stringValue
        let systemCount = event.system.count, systemKeys = event.system.keyBits
        var derivedNamed = event.system.holdsAny(of: derivedNames)
        var f = JSONObject()
        swap(&f, &event.system)
        f.reserveCapacity(systemCount + event.data.count + 24)
        var spaced = false
        // The data's keys differ from each other (`addData` writes by key), so a data value
        // replaces a member only when the System part has its key: looked for there, a dozen
        // members, rather than in the object growing to thirty. Once an `EventData_` name is
        // written, a data key could be that name, so then every write looks.
        var renamed = false
        var positions = WindowsData.Positions()
        var spacedMembers: [(key: String, value: JSONValue)] = []
        // The data is not kept: its members are moved into the fields, and `WindowsData`
        // reads them there, by where each went. Taken out of the event first: a method called
        // on the event's property would be given a copy, and the moves would copy it all.
        var data = JSONObject()
        swap(&data, &event.data)
        (consume data).forEachMemberMoved(in: WindowsData.table) { key, value, p in
            let name = WindowsData.Positions.name(p)
            // A name of the data table has no space and is no ECS name (those have dots).
            if name < 0 {
                if key.name.containsByte(0x20) {
                    spaced = true
                    spacedMembers.append((key.name, value))
                }
                if !derivedNamed, derivedNames.contains(key) { derivedNamed = true }
            }
            // The key and value are the fields' to keep (moved, not copied: `forEachMemberMoved`).
            if WindowsData.Positions.isSystemName(name) {
                let systemOwned = JSONKey("EventData_\(key.name)")
                f[systemOwned] = value
                positions.note(name: name, member: f.position(of: systemOwned) ?? -1)
                renamed = true
            } else if renamed || (systemKeys.mayHold(key) && f.contains(key, before: systemCount)) {
                f[key] = value
                if name >= 0 { positions.note(name: name, member: f.position(of: key) ?? -1) }
            } else {
                f.append(distinct: key, value)
                positions.note(name: name, member: f.count - 1)
            }
        }
        // Defender and a few others name their data with spaces (`Threat Name`); Sigma's rules
        // write the names without them (`ThreatName`), so both are kept.
        if spaced {
            for (key, value) in spacedMembers where key.contains(" ") {
                let joined = key.replacingOccurrences(of: " ", with: "")
                if f[joined] == nil { f[joined] = value }
            }
        }
        let d = WindowsData(fields: positions)
        let kind = given ?? WindowsKinds.kind(eventID: eventID, channel: channel, provider: provider, data: d, in: f)
        // Sigma's process_creation names the process Image; 4688 says NewProcessName. Only
        // an event whose data has no such key (then the fields have none from it) gets one, so
        // the fields are looked in only when the data has the other name.
        if d.value(.image, in: f) == nil, eventID == 4688, let image = d.text(.newProcessName, in: f), f[K.image] == nil {
            f[K.image] = .string(image)
        }
        if d.value(.parentImage, in: f) == nil, let parent = d.text(.parentProcessName, in: f), f[K.parentImage] == nil {
            f[K.parentImage] = .string(parent)
        }
        if let m = message, !m.isEmpty { f[K.message] = .string(m) }
        let derived = WindowsECS(
            eventID: eventID, channel: channel, provider: provider, computer: computer, recordID: recordID,
            systemUserID: systemUserID, kind: kind, data: d, fresh: !derivedNamed)
        return (f, derived)
    }
    /// `SHA1=...,MD5=...` into the owner's hash fields, lower-cased; other names and empty
    /// values are left out.
    fileprivate static func hashFields(_ hashes: String, _ keys: HashKeys, into f: inout JSONObject) {
        var text = hashes
        let done = text.withUTF8 { b in asciiHashFields(b, keys, into: &f) }
        if done { return }
        for part in hashes.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmed }
            guard pair.count == 2, !pair[1].isEmpty, let key = keys.key(pair[0].lowercased()) else { continue }
            f[key] = .string(pair[1].lowercased())
        }
    }

    /// `hashFields` over ASCII text, read byte by byte as the `String` code reads it Character
    /// by Character (`,` and `=` are Characters of their own in ASCII): each part between commas
    /// (empty ones skipped) split at its first `=` after any leading ones, both sides trimmed
    /// as `trimmed` does. False, having written nothing, when the text is not ASCII.
    private static func asciiHashFields(_ b: UnsafeBufferPointer<UInt8>, _ keys: HashKeys, into f: inout JSONObject) -> Bool {
        var high: UInt8 = 0
        for x in b { high |= x }
        guard high < 0x80 else { return false }
        var i = 0
        while i < b.count {
            var end = i
            while end < b.count, b[end] != 0x2C { end += 1 }
            if end > i, let (name, value) = pair(b, i, end) {
                let n = trim(b, name)
                let v = trim(b, value)
                if !v.isEmpty, let key = keys.key(b.lowercased(n.lowerBound, n.upperBound)) {
                    f[key] = .string(b.lowercased(v.lowerBound, v.upperBound))
                }
            }
            i = end + 1
        }
        return true
    }

    /// `split(separator: "=", maxSplits: 1)` of `b[start..<end]` when it gives two pieces.
    private static func pair(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Range<Int>, Range<Int>)? {
        var from = start
        var j = start
        while j < end {
            if b[j] == 0x3D {
                if j > from {
                    // The first piece; the rest, if any, is the second whatever it holds.
                    let first = from..<j
                    return j + 1 < end ? (first, (j + 1)..<end) : nil
                }
                from = j + 1
            }
            j += 1
        }
        return nil
    }

    /// The range `String.trimmed` leaves of ASCII text: trimmed only when it starts or ends with
    /// a space, tab, CR or LF, and then of every ASCII white space (`whitespacesAndNewlines`).
    private static func trim(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Range<Int> {
        guard let first = r.first, let last = r.last else { return r }
        func edge(_ x: UInt8) -> Bool { x == 0x20 || x == 0x09 || x == 0x0A || x == 0x0D }
        guard edge(b[first]) || edge(b[last]) else { return r }
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi, ASCII.isSpace(b[lo]) { lo += 1 }
        while hi > lo, ASCII.isSpace(b[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    /// A decimal or `0x` hex number (4688 writes its process ids in hex), bounded to Int64.
    static func number(_ text: String?) -> Int64? {
        guard let text = text?.trimmed, !text.isEmpty else { return nil }
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return Int64(text.dropFirst(2), radix: 16) }
        return Int64(text)
    }

    /// An IP as Windows writes it (`::ffff:10.0.0.5` is the IPv4 address), nil for `-`,
    /// loopback placeholders and what is not an address.
    static func address(_ text: String) -> String? {
        var s = text.trimmed
        // Only text starting with `:` lower-cases to text starting with `:`.
        if s.utf8.first == 0x3A, s.lowercased().hasPrefix("::ffff:"), VendorJSON.isIP(String(s.dropFirst(7))) { s = String(s.dropFirst(7)) }
        guard VendorJSON.isIP(s) else { return nil }
        return s
    }

    /// Security events analysts know by number, for titles.
    static let securityTitles: [Int: String] = [
        1102: "audit log cleared", 4624: "logon", 4625: "failed logon", 4634: "logoff", 4648: "logon with explicit credentials",
        4657: "registry value modified", 4663: "object accessed", 4672: "special privileges assigned", 4688: "process started",
        4697: "service installed", 4698: "scheduled task created", 4699: "scheduled task deleted", 4700: "scheduled task enabled",
        4702: "scheduled task updated", 4719: "audit policy changed", 4720: "user account created", 4722: "user account enabled",
        4723: "password change attempt", 4724: "password reset attempt", 4725: "user account disabled", 4726: "user account deleted",
        4728: "member added to a global group", 4732: "member added to a local group", 4738: "user account changed",
        4740: "user account locked out", 4756: "member added to a universal group", 4768: "Kerberos TGT requested",
        4769: "Kerberos service ticket requested", 4771: "Kerberos pre-authentication failed", 4776: "NTLM credential validation",
        4781: "account renamed", 4794: "DSRM password set attempt", 5136: "directory object modified", 5140: "network share accessed",
        5145: "network share object checked", 5156: "connection allowed by the filtering platform", 7045: "service installed",
    ]

    /// The event's identity: its computer, channel and record number, from its fields (the
    /// System values are the fields' own: event data of those names is kept as `EventData_`).
    static func ref(_ f: JSONObject) -> String? {
        guard let record = f["EventRecordID"].flatMap({ $0.stringValue ?? VendorJSON.int($0).map(String.init) }) else { return nil }
        return "\(f["Computer"]?.stringValue ?? "")/\(f["Channel"]?.stringValue ?? "")/\(record)"
    }

    /// The names titles read, with their tags worked out once.
    private enum TitleKeys {
        static let computer = JSONKey("Computer"), channel = JSONKey("Channel"), eventID = JSONKey("EventID")
        static let userName = JSONKey("user.name"), providerName = JSONKey("Provider_Name")
        static let targetImage = JSONKey("TargetImage"), sourceImage = JSONKey("SourceImage")
    }

    /// What the queue row says: what happened, to what, by whom, where; from the fields, whose
    /// System values are the event's own (`ref`). Its pieces' bytes are gathered and made one
    /// string at the end (`TextBuilder`): interpolated, a hunt's title cost as much as matching
    /// its event; appended piece by piece to a `String`, 5,000 instructions.
    static func title(kind: SignalKind, fields f: JSONObject) -> String {
        typealias T = TitleKeys
        let computer = f[T.computer]?.stringValue, channel = f[T.channel]?.stringValue
        let eventID = VendorJSON.int(f[T.eventID]).flatMap { Int(exactly: $0) }
        let user = f[T.userName]?.stringValue
        func named(_ key: JSONKey) -> String? { f[key]?.stringValue }
        var s = TextBuilder()
        /// ` by <user> on <host>`, where known.
        func byWhomWhere(_ withUser: Bool = true) {
            if withUser, let user { s += " by "; s += user }
            if let computer { s += " on "; s += computer }
        }
        switch kind.name {
        case "windows.process_creation":
            s += named(K.processName) ?? "a process"
            s += " started"
            if let parent = named(K.parentName) { s += " from "; s += parent }
            byWhomWhere()
        case "windows.network_connection":
            s += named(K.processName) ?? "a process"
            s += " connected to "
            s += named(K.destinationDomain) ?? named(K.destinationIP) ?? "?"
            if let port = f[K.destinationPort].flatMap({ VendorJSON.int($0) }) { s += ":"; s += String(port) }
            byWhomWhere(false)
        case "windows.dns_query":
            s += named(K.processName) ?? "a process"
            s += " looked up "
            s += named(K.dnsName) ?? "?"
            byWhomWhere(false)
        case "windows.file_event", "windows.file_delete", "windows.file_change", "windows.file_executable_detected":
            s += kind.displayName
            s += ": "
            s += named(K.filePath) ?? "?"
            byWhomWhere(false)
        case "windows.image_load", "windows.driver_load":
            s += kind.displayName
            s += ": "
            s += named(K.fileName) ?? "?"
            s += " into "
            s += named(K.processName) ?? "?"
            byWhomWhere(false)
        case "windows.registry_set", "windows.registry_add", "windows.registry_delete", "windows.registry_rename":
            s += kind.displayName
            s += ": "
            s += named(K.registryPath) ?? "?"
            byWhomWhere(false)
        case "windows.process_access", "windows.create_remote_thread":
            s += kind.displayName
            s += ": "
            s += WindowsEvent.text(of: f[T.sourceImage]).map(VendorJSON.basename) ?? "?"
            s += " -> "
            s += WindowsEvent.text(of: f[T.targetImage]).map(VendorJSON.basename) ?? "?"
            byWhomWhere(false)
        case "windows.event":
            let channel = channel ?? "Windows"
            if channel.lowercasedEquals("security"), let id = eventID, let what = securityTitles[id] {
                s += "Security "; s += String(id); s += " "; s += what
                byWhomWhere()
            } else if channel.lowercasedEquals("system"), eventID == 7045, let service = named(K.serviceName) {
                s += "System 7045 service installed: "; s += service
                byWhomWhere(false)
            } else {
                s += channel; s += " "; s += eventID.map(String.init) ?? "?"
                s += " ("; s += named(T.providerName) ?? "?"; s += ")"
                byWhomWhere()
            }
        default:
            s += kind.displayName
            byWhomWhere()
        }
        return s.string
    }

    static let levelKey = JSONKey("Level")

    /// Windows' Level (System's `Level`): 1 critical, 2 error, 3 warning, 4 and 0 information.
    /// A failed logon or a cleared log is worth more than its level says. Of values the caller
    /// has read already for more.
    static func severity(eventID: Int?, channel: String?, level: JSONValue?) -> Severity {
        if let id = eventID, id == 1102 || id == 4625 || id == 4740 || id == 4771, channel?.lowercasedEquals("security") == true {
            if id == 1102 { return .medium }
            return .low
        }
        switch VendorJSON.int(level) {
        case 1: return .high
        case 2: return .medium
        case 3: return .low
        default: return .info
        }
    }
}

/// The ECS names of a Windows event (`process.command_line`, `host.name`, `user.name`, ...),
/// derived from its own fields: what `WindowsFields.ownFields` read of the event to write them,
/// so that they can be added when the fields are made or later (`Normalized.derived`).
struct WindowsECS: Sendable {
    let eventID: Int?
    let channel, provider, computer: String?
    let recordID: JSONValue?
    let systemUserID: String?
    let kind: SignalKind
    let data: WindowsData
    /// The own fields have no key of a derived name (`WindowsFields.ownFields`).
    let fresh: Bool

    private typealias K = WindowsFields.K

    /// Per name `add` may write, the event's own fields it derives it from: without any of
    /// them the event does not get it. A hunt reads events without these names where its rules
    /// read them only when another field is missing and none of the sources is there
    /// (`RuleIndex.matchesLeavingOutDerived`), so this must name every field `add` reads for
    /// each (`WindowsDerivedFieldsTests` checks it over the public samples).
    static let sources: [String: [DerivedSource]] = {
        func from(_ fields: String...) -> [DerivedSource] { fields.map { DerivedSource($0) } }
        let process = from("Image", "ProcessName") + [DerivedSource("NewProcessName", eventID: 4688)]
        let parent = from("ParentImage", "ParentProcessName")
        let user = from("User", "TargetUserName", "SubjectUserName", "TargetDomainName", "SubjectDomainName")
        let file = from("TargetFilename", "ImageLoaded", "ObjectName", "FileName"), hashes = from("Hashes", "Hash")
        // 4688 (in the Security channel) names the new process NewProcessId and its parent ProcessId.
        var table: [String: [DerivedSource]] = [
            K.eventCode.name: from("EventID"), K.eventProvider.name: from("Provider_Name"), K.winlogChannel.name: from("Channel"),
            K.hostName.name: from("Computer"), K.recordID.name: from("EventRecordID"),
            K.processExecutable.name: process, K.processName.name: process, K.processCommandLine.name: from("CommandLine"),
            K.parentExecutable.name: parent, K.parentName.name: parent, K.parentCommandLine.name: from("ParentCommandLine"),
            K.pid.name: from("ProcessId") + [DerivedSource("NewProcessId", eventID: 4688)],
            K.parentPid.name: from("ParentProcessId") + [DerivedSource("ProcessId", eventID: 4688)],
            K.entityID.name: from("ProcessGuid"), K.workingDirectory.name: from("CurrentDirectory"),
            K.originalFileName.name: from("OriginalFileName"),
            K.userID.name: from("TargetUserSid", "SubjectUserSid", K.securityUserID.name), K.logonType.name: from("LogonType"),
            K.sourceIP.name: from("IpAddress", "SourceIp", "SourceAddress", "ClientAddress"), K.sourcePort.name: from("IpPort", "SourcePort"),
            K.destinationIP.name: from("DestinationIp", "DestAddress"), K.destinationPort.name: from("DestinationPort", "DestPort"),
            K.destinationDomain.name: from("DestinationHostname"), K.sourceDomain.name: from("SourceHostname", "WorkstationName"),
            K.transport.name: from("Protocol"), K.dnsName.name: from("QueryName"), K.filePath.name: file, K.fileName.name: file,
            K.registryPath.name: from("TargetObject"), K.registryData.name: from("Details", "NewValue"),
            K.serviceName.name: from("ServiceName"), K.serviceExecutable.name: from("ServiceFileName", "ImagePath"),
            K.scriptBlock.name: from("ScriptBlockText"), K.taskName.name: from("TaskName"),
        ]
        for h in [K.processHashes, K.fileHashes] { for key in [h.md5, h.sha1, h.sha256, h.imphash] { table[key.name] = hashes } }
        for (keys, sources) in [(ECS.UserKeys.user, user), (ECS.UserKeys.userTarget, from("TargetUserName"))] {
            for key in [keys.domain, keys.name] + (keys.email.map { [$0] } ?? []) { table[key.name] = sources }
        }
        return table
    }()

    /// Writes the ECS names into `f`, the event's own fields: those a row shows first, then the
    /// rest. Each name is written by one of the two, so the order between them changes no value.
    func add(to f: inout JSONObject) {
        addShown(to: &f)
        addRest(to: &f)
    }

    /// Writes the name into fields with none of the names yet (`fresh`) without looking for it
    /// first; over it otherwise.
    @inline(__always) private func put(_ key: JSONKey, _ value: consuming JSONValue, into f: inout JSONObject) {
        if fresh { f.append(distinct: key, value) } else { f[key] = value }
    }

    /// The names a title (`WindowsFields.title`) and a timeline row (`host.name`, `user.name`,
    /// `user.domain`) read: the host, the process and its parent, who, where to, and what was
    /// touched by name. A hunt shows most detections this way, without the rest.
    func addShown(to f: inout JSONObject) {
        let d = data
        if let host = computer { put(K.hostName, .string(host), into: &f) }

        // The process: Sysmon's names, or Security 4688's.
        let image = d.text(.image, in: f) ?? (eventID == 4688 ? d.text(.newProcessName, in: f) : nil)
        if let image {
            put(K.processExecutable, .string(image), into: &f)
            put(K.processName, .string(VendorJSON.basename(image)), into: &f)
        } else if let name = d.text(.processName, in: f), VendorJSON.isPath(name) {
            put(K.processExecutable, .string(name), into: &f)
            put(K.processName, .string(VendorJSON.basename(name)), into: &f)
        }
        if let parent = d.text(.parentImage, in: f) ?? d.text(.parentProcessName, in: f) {
            put(K.parentExecutable, .string(parent), into: &f)
            put(K.parentName, .string(VendorJSON.basename(parent)), into: &f)
        }

        // Who: Sysmon's User (`DOMAIN\name`); Security's subject, or for logons the target.
        if let user = d.text(.user, in: f) {
            ECS.user(user, keys: .user, distinct: fresh, into: &f)
        } else if let id = eventID, WindowsFields.logonEvents.contains(id), let target = d.text(.targetUserName, in: f) {
            ECS.user(target, keys: .user, distinct: fresh, into: &f)
            if let domain = d.text(.targetDomainName, in: f), f[K.userDomain] == nil { put(K.userDomain, .string(domain), into: &f) }
        } else if let subject = d.text(.subjectUserName, in: f) {
            ECS.user(subject, keys: .user, distinct: fresh, into: &f)
            if let domain = d.text(.subjectDomainName, in: f), f[K.userDomain] == nil { put(K.userDomain, .string(domain), into: &f) }
            if let target = d.text(.targetUserName, in: f) { ECS.user(target, keys: .userTarget, distinct: fresh, into: &f) }
        } else if let target = d.text(.targetUserName, in: f) {
            ECS.user(target, keys: .user, distinct: fresh, into: &f)
        }

        // Where to.
        if let ip = d.text(.destinationIp, in: f) ?? d.text(.destAddress, in: f), let clean = WindowsFields.address(ip) {
            put(K.destinationIP, .string(clean), into: &f)
        }
        if let port = d.number(.destinationPort, or: .destPort, in: f), port > 0 { put(K.destinationPort, .int(port), into: &f) }
        if let host = d.text(.destinationHostname, in: f), VendorJSON.isHostname(host) { put(K.destinationDomain, .string(host.lowercased()), into: &f) }

        // What was touched, by name.
        if let query = d.text(.queryName, in: f) { put(K.dnsName, .string(query.lowercased()), into: &f) }
        let named = d.text(.objectName, in: f) ?? d.text(.fileName, in: f)
        if let path = d.text(.targetFilename, in: f) ?? d.text(.imageLoaded, in: f) ?? named.flatMap({ VendorJSON.isPath($0) ? $0 : nil }) {
            put(K.filePath, .string(path), into: &f)
            put(K.fileName, .string(VendorJSON.basename(path)), into: &f)
        }
        if let key = d.text(.targetObject, in: f) { put(K.registryPath, .string(key), into: &f) }
        if let service = d.text(.serviceName, in: f) { put(K.serviceName, .string(service), into: &f) }
    }

    /// The names `addShown` does not write.
    func addRest(to f: inout JSONObject) {
        let d = data
        if let id = eventID { put(K.eventCode, .string(String(id)), into: &f) }
        if let p = provider { put(K.eventProvider, .string(p), into: &f) }
        if let c = channel { put(K.winlogChannel, .string(c), into: &f) }
        if let record = WindowsEvent.recordText(recordID) { put(K.recordID, .string(record), into: &f) }

        if let cmd = d.text(.commandLine, in: f) { put(K.processCommandLine, .string(cmd), into: &f) }
        if let cmd = d.text(.parentCommandLine, in: f) { put(K.parentCommandLine, .string(cmd), into: &f) }
        // 4688's ProcessId is the creator's; the new process is NewProcessId.
        let is4688 = eventID == 4688 && channel?.lowercasedEquals("security") == true
        if let pid = d.number(is4688 ? .newProcessId : .processId, in: f) { put(K.pid, .int(pid), into: &f) }
        if let pid = d.number(is4688 ? .processId : .parentProcessId, in: f) { put(K.parentPid, .int(pid), into: &f) }
        if let guid = d.text(.processGuid, in: f) { put(K.entityID, .string(guid), into: &f) }
        if let dir = d.text(.currentDirectory, in: f) { put(K.workingDirectory, .string(dir), into: &f) }
        if let name = d.text(.originalFileName, in: f) { put(K.originalFileName, .string(name), into: &f) }

        if let sid = d.text(.targetUserSid, in: f) ?? d.text(.subjectUserSid, in: f) ?? systemUserID { put(K.userID, .string(sid), into: &f) }
        if let logon = d.text(.logonType, in: f) { put(K.logonType, .string(logon), into: &f) }

        // Where from.
        if let ip = d.text(.ipAddress, in: f) ?? d.text(.sourceIp, in: f) ?? d.text(.sourceAddress, in: f) ?? d.text(.clientAddress, in: f), let clean = WindowsFields.address(ip) {
            put(K.sourceIP, .string(clean), into: &f)
        }
        if let port = d.number(.ipPort, or: .sourcePort, in: f), port > 0 { put(K.sourcePort, .int(port), into: &f) }
        if let host = d.text(.sourceHostname, in: f) ?? d.text(.workstationName, in: f), VendorJSON.isHostname(host) {
            put(K.sourceDomain, .string(host.lowercased()), into: &f)
        }
        if let proto = d.text(.networkProtocol, in: f), proto.count < 8 { put(K.transport, .string(proto.lowercased()), into: &f) }

        // What was touched, beyond its name.
        if let details = d.text(.details, in: f) ?? d.text(.newValue, in: f) { put(K.registryData, .string(details), into: &f) }
        if let file = d.text(.serviceFileName, in: f) ?? d.text(.imagePath, in: f) { put(K.serviceExecutable, .string(file), into: &f) }
        if let script = d.text(.scriptBlockText, in: f) { put(K.scriptBlock, .string(script), into: &f) }
        if let task = d.text(.taskName, in: f) { put(K.taskName, .string(task), into: &f) }

        // Hashes: `SHA1=...,MD5=...,SHA256=...,IMPHASH=...`, the process's on a process event,
        // the file's (or DLL's) otherwise.
        if let hashes = d.text(.hashes, in: f) ?? d.text(.hash, in: f) {
            WindowsFields.hashFields(hashes, kind == .windowsProcessCreation ? K.processHashes : K.fileHashes, into: &f)
        }
    }
}
