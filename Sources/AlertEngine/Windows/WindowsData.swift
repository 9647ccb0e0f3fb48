import Model

/// The event data values that normalizing a Windows event reads (`WindowsFields`,
/// `WindowsKinds`, a signal's texts), found in one pass over the data rather than by scanning
/// it once per name: an event is read by some sixty names and holds a dozen.
struct WindowsData: Sendable {
    /// The names, in the order of `keys`: the system-owned ones last.
    enum Name: Int, CaseIterable {
        case image, newProcessName, processName, commandLine, parentImage, parentProcessName, parentCommandLine
        case newProcessId, processId, parentProcessId, processGuid, currentDirectory, originalFileName, user
        case targetUserName, targetDomainName, subjectUserName, subjectDomainName, targetUserSid, subjectUserSid
        case logonType, ipAddress, sourceIp, sourceAddress, clientAddress, ipPort, sourcePort, destinationIp
        case destAddress, destinationPort, destPort, destinationHostname, sourceHostname, workstationName
        case networkProtocol, queryName, objectName, fileName, targetFilename, imageLoaded, targetObject, details
        case newValue, serviceName, serviceFileName, imagePath, scriptBlockText, taskName, hashes, hash, eventType
        case targetImage, sourceImage, payload
        // System names a data value of the same name must not replace: rules select on them
        // (the data value is kept as `EventData_<name>`: `WindowsFields.ownFields`).
        case eventID, channel, providerName, computer, eventRecordID
    }

    /// Each name's data key, by `Name.rawValue`.
    static let keys: [String] = [
        "Image", "NewProcessName", "ProcessName", "CommandLine", "ParentImage", "ParentProcessName",
        "ParentCommandLine", "NewProcessId", "ProcessId", "ParentProcessId", "ProcessGuid", "CurrentDirectory",
        "OriginalFileName", "User", "TargetUserName", "TargetDomainName", "SubjectUserName", "SubjectDomainName",
        "TargetUserSid", "SubjectUserSid", "LogonType", "IpAddress", "SourceIp", "SourceAddress", "ClientAddress",
        "IpPort", "SourcePort", "DestinationIp", "DestAddress", "DestinationPort", "DestPort", "DestinationHostname",
        "SourceHostname", "WorkstationName", "Protocol", "QueryName", "ObjectName", "FileName", "TargetFilename",
        "ImageLoaded", "TargetObject", "Details", "NewValue", "ServiceName", "ServiceFileName", "ImagePath",
        "ScriptBlockText", "TaskName", "Hashes", "Hash", "EventType", "TargetImage", "SourceImage", "Payload",
        "EventID", "Channel", "Provider_Name", "Computer", "EventRecordID",
    ]

    static let table = JSONKeyTable(keys)
    /// The `Name.rawValue` of each of the table's keys (the table sorts them), by table position.
    private static let nameAt: [Int] = table.keys.map { key in keys.firstIndex(of: key) ?? -1 }

    /// Per name (`Name.rawValue`, at most 64) the position of its member plus one, 0 when
    /// absent: in the event data, or in the fields the data went into (`WindowsFields.ownFields`),
    /// whichever object the reads are given. Positions rather than the values or the data,
    /// so that making, passing and dropping it retains and releases nothing (64 optional
    /// values were 2 KiB to fill and to destroy per event; holding the data kept each value
    /// twice, in the data and in the fields, each retained and released once more).
    private let positions: InlineArray<64, UInt16>
    /// Whether the positions are in the fields, where a data value of a System name is kept
    /// as `EventData_<name>`.
    private let inFields: Bool

    /// Each name's key in the data, and in the fields.
    private static let dataKeys = keys.map { JSONKey($0) }
    private static let fieldKeys: [JSONKey] = keys.indices.map { n in
        JSONKey(n >= Name.eventID.rawValue ? "EventData_\(keys[n])" : keys[n])
    }

    /// The values of `data` that the table names, read from `data`.
    init(_ data: JSONObject) {
        var positions = Positions()
        var i = 0
        data.forEachMember(in: WindowsData.table) { _, _, p in
            positions.note(p, member: i)
            i += 1
        }
        self.positions = positions.byName
        inFields = false
    }

    /// The data's values as the fields hold them: `positions` noted where each member went in
    /// the fields as they were made (`WindowsFields.ownFields`).
    init(fields positions: Positions) {
        self.positions = positions.byName
        inFields = true
    }

    /// Per name, where its member is, as the members are met in order.
    struct Positions {
        fileprivate var byName = InlineArray<64, UInt16>(repeating: 0)

        /// The member at `member` has the key at `p` in `WindowsData.table`, if any; whether
        /// that key is one of the names a data value must not replace (`Name.eventID` on). A
        /// member past the 65,534th is not looked up by name (no event has so many).
        @discardableResult
        mutating func note(_ p: Int?, member i: Int) -> Bool {
            let n = Positions.name(p)
            note(name: n, member: i)
            return Positions.isSystemName(n)
        }

        /// The name (`Name.rawValue`) of the key at `p` in `WindowsData.table`, -1 for none.
        /// (Read once per member: each read of `nameAt` is a call that makes sure it was made.)
        static func name(_ p: Int?) -> Int {
            guard let p, p >= 0, p < WindowsData.nameAt.count else { return -1 }
            let n = WindowsData.nameAt[p]
            return n >= 0 && n < 64 ? n : -1
        }

        /// Whether the name is one a data value must not replace (`Name.eventID` on).
        static func isSystemName(_ n: Int) -> Bool { n >= Name.eventID.rawValue }

        /// The member of the name `n` (-1: none) is at `member`.
        mutating func note(name n: Int, member i: Int) {
            guard n >= 0, n < 64, i >= 0, i < Int(UInt16.max) else { return }
            byName[n] = UInt16(truncatingIfNeeded: i + 1)
        }
    }

    /// The name's value in `object`, the data or fields the positions were noted in. Read where
    /// it was noted when that member still has its key (the fields only grow while their
    /// derived names are added); looked up by key if the object was changed otherwise.
    func value(_ name: Name, in object: JSONObject) -> JSONValue? {
        // By subscript: through `span`, the whole value (152 bytes) was first copied to the stack.
        let p = Int(positions[name.rawValue])
        guard p != 0 else { return nil }
        let key = inFields ? WindowsData.fieldKeys[name.rawValue] : WindowsData.dataKeys[name.rawValue]
        return object.value(at: p - 1, ifKeyIs: key) ?? object[key]
    }

    /// As `WindowsEvent.text`: null and empty values as missing, and Windows' `-` placeholder.
    func text(_ name: Name, in object: JSONObject) -> String? {
        WindowsEvent.text(of: value(name, in: object))
    }

    /// `WindowsFields.number(text(name) ?? text(other))`, an integer read as it is rather than
    /// written out as text to be parsed again (process ids and ports, on most events).
    func number(_ name: Name, or other: Name? = nil, in object: JSONObject) -> Int64? {
        let v = value(name, in: object)
        let chosen = WindowsEvent.text(of: v) != nil || other == nil ? v : other.flatMap { value($0, in: object) }
        if case .int(let n)? = chosen { return n }
        return WindowsFields.number(WindowsEvent.text(of: chosen))
    }
}
